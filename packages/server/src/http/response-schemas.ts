import {
  AccountExportResponse,
  AttachmentResponse,
  AuditResponse,
  AuthMethodsResponse,
  AuthResponse,
  Availability,
  BalanceResponse,
  BatchResponse,
  BuilderAvailability,
  CheckoutResponse,
  MessageResponse,
  MessagesResponse,
  OkResponse,
  PacksResponse,
  QueueResponse,
  SessionResponse,
  SessionsResponse,
  ToolsResponse,
  TransactionsResponse,
  UserResponse,
} from '@suportra/protocol'
import {
  GrantResponse,
  ServerDeletedResponse,
  ServerSessionsResponse,
  ServerUserResponse,
  WebhookDeliveriesResponse,
  WebhookEndpointCreatedResponse,
  WebhookEndpointsResponse,
} from '@suportra/protocol/server-api'
import * as z from 'zod/mini'

/** A route whose successful answer is not a protocol JSON body, and why. Its JSON errors are still checked. */
export interface Exempt {
  exempt: string
}

/** What Stripe gets back from a webhook (Stripe reads only the status; kept exact anyway). */
const StripeWebhookResponse = z.object({ received: z.literal(true), duplicate: z.boolean() })

/**
 * The body every route answers with on success (2xx), by `METHOD path` as the route is registered.
 * Errors (4xx, 5xx) of every route are `ErrorBody`. `response-schemas.test.ts` fails when a route of
 * the app is missing here, so a new route cannot ship without its schema.
 */
export const RESPONSE_SCHEMAS: Record<string, z.ZodMiniType | Exempt> = {
  'GET /health': OkResponse,
  'GET /ready': z.object({ ok: z.literal(true), checks: z.record(z.string(), z.literal('ok')) }),
  'GET /metrics': { exempt: 'the Prometheus text format' },
  'GET /openapi.json': { exempt: 'the OpenAPI document (it describes the others)' },
  'GET /widget.js': { exempt: 'the widget loader (JavaScript)' },
  'GET /widget/:file{[\\w.-]+\\.js}': { exempt: 'the widget chunks (JavaScript)' },

  'POST /v1/auth/sign-up': AuthResponse,
  'POST /v1/auth/sign-in': AuthResponse,
  'POST /v1/auth/identify': AuthResponse,
  'POST /v1/auth/refresh': AuthResponse,
  'POST /v1/auth/sign-out': OkResponse,
  'POST /v1/auth/password-reset': OkResponse,
  'POST /v1/auth/password-reset/confirm': AuthResponse,
  'GET /v1/auth/methods': AuthMethodsResponse,
  'GET /v1/me': UserResponse,

  'POST /v1/account': UserResponse,
  'GET /v1/account/export': AccountExportResponse,
  'DELETE /v1/account': OkResponse,

  'GET /v1/tools': ToolsResponse,
  'GET /v1/credits': BalanceResponse,
  'GET /v1/credits/transactions': TransactionsResponse,
  'GET /v1/credits/packs': PacksResponse,
  'POST /v1/credits/checkout': CheckoutResponse,
  'POST /v1/webhooks/stripe': StripeWebhookResponse,

  'GET /dev/checkout/:id': { exempt: 'the development checkout page (HTML)' },
  'POST /dev/checkout/:id/pay': { exempt: 'a redirect back to the app (development checkout)' },
  'GET /dev/mail': { exempt: 'the development outbox page (HTML)' },

  'POST /v1/sessions': SessionResponse,
  'GET /v1/sessions': SessionsResponse,
  'GET /v1/sessions/:id': SessionResponse,
  'POST /v1/sessions/:id/cancel': SessionResponse,
  'POST /v1/sessions/:id/video': SessionResponse,
  'DELETE /v1/sessions/:id/transcript': OkResponse,
  'POST /v1/sessions/:id/close': SessionResponse,
  'POST /v1/sessions/:id/rating': SessionResponse,
  'POST /v1/sessions/:id/read': OkResponse,
  'POST /v1/sessions/:id/typing': OkResponse,
  'GET /v1/sessions/:id/messages': MessagesResponse,
  'POST /v1/sessions/:id/messages': MessageResponse,
  'POST /v1/sessions/:id/messages/batch': BatchResponse,
  'POST /v1/sessions/:id/attachments': AttachmentResponse,

  'GET /v1/builder/queue': QueueResponse,

  'POST /v1/server/users/:externalId/credits': GrantResponse,
  'GET /v1/server/users/:externalId': ServerUserResponse,
  'DELETE /v1/server/users/:externalId': ServerDeletedResponse,
  'GET /v1/server/sessions': ServerSessionsResponse,
  'POST /v1/server/webhook-endpoints': WebhookEndpointCreatedResponse,
  'GET /v1/server/webhook-endpoints': WebhookEndpointsResponse,
  'DELETE /v1/server/webhook-endpoints/:id': ServerDeletedResponse,
  'GET /v1/server/webhook-endpoints/:id/deliveries': WebhookDeliveriesResponse,
  'POST /v1/builder/sessions/:id/claim': SessionResponse,
  'GET /v1/attachments/:id': { exempt: 'the file itself, with the type it was uploaded with' },
  'POST /v1/audits': AuditResponse,
  'GET /v1/availability': Availability,
  'GET /v1/builder/availability': BuilderAvailability,
  'POST /v1/builder/availability': BuilderAvailability,
}

import {
  AuditRequest,
  BuilderAvailabilityRequest,
  CheckoutRequest,
  IdentifyRequest,
  MessagesQuery,
  PasswordResetConfirmRequest,
  PasswordResetRequest,
  RateRequest,
  ReadRequest,
  RefreshRequest,
  SendBatchRequest,
  SendMessageRequest,
  SignInRequest,
  SignOutRequest,
  SignUpRequest,
  StartSessionRequest,
  UpdateAccountRequest,
} from '@suportra/protocol'
import {
  CreateWebhookEndpointRequest,
  GrantRequest,
  ServerSessionsQuery,
  WEBHOOK_EVENT_TYPES,
  WebhookEvent,
} from '@suportra/protocol/server-api'
import type * as z from 'zod/mini'

/**
 * Who may call a route: nobody in particular (`public`), with the app id header before sign-in
 * (`app`), a signed-in user or builder (`user`), a builder (`builder`), Stripe (`stripe`, signed),
 * the vendor's backend with a server key `sk_…` (`server`), the development pages (`dev`, only with
 * `--seed demo` / `SUPORTRA_DEV_PAGES`), or a Prometheus scraper (`metrics`, `SUPORTRA_METRICS_TOKEN`).
 */
export type Access = 'public' | 'app' | 'user' | 'builder' | 'server' | 'stripe' | 'dev' | 'metrics'

/** One route of the API, as the OpenAPI document describes it (its success body: `RESPONSE_SCHEMAS`). */
export interface Operation {
  summary: string
  tag: string
  access: Access
  /** The JSON body it reads. */
  body?: z.ZodMiniType
  /** Its query parameters (an object schema). */
  query?: z.ZodMiniType
  /** The success status when not 200. */
  status?: number
  /** The success answer is not JSON: its media type. */
  media?: string
}

/**
 * Every route, by `METHOD path` as the app registers it (`openapi.test.ts` fails when a route of the
 * app is missing here, or an entry names no route). Adding a route: one entry here, one in
 * `http/response-schemas.ts` (its success body).
 */
export const OPERATIONS: Record<string, Operation> = {
  'GET /health': { summary: 'Liveness', tag: 'server', access: 'public' },
  'GET /ready': {
    summary:
      'Readiness: the database, its migrations and (PostgreSQL) the LISTEN connection; 503 names the failing check',
    tag: 'server',
    access: 'public',
  },
  'GET /metrics': {
    summary: 'Prometheus metrics (off unless SUPORTRA_METRICS_TOKEN is set)',
    tag: 'server',
    access: 'metrics',
    media: 'text/plain',
  },
  'GET /openapi.json': {
    summary: 'This document (OpenAPI 3.1)',
    tag: 'server',
    access: 'public',
    media: 'application/json',
  },
  'GET /widget.js': {
    summary: 'The script-tag loader',
    tag: 'widget',
    access: 'public',
    media: 'text/javascript',
  },
  'GET /widget/:file{[\\w.-]+\\.js}': {
    summary: 'A chunk of the widget',
    tag: 'widget',
    access: 'public',
    media: 'text/javascript',
  },

  'POST /v1/auth/sign-up': {
    summary: 'Create a password account',
    tag: 'auth',
    access: 'app',
    body: SignUpRequest,
    status: 201,
  },
  'POST /v1/auth/sign-in': {
    summary: 'Sign in with a password',
    tag: 'auth',
    access: 'app',
    body: SignInRequest,
  },
  'POST /v1/auth/identify': {
    summary: 'Sign in with a vendor identity token (HS256)',
    tag: 'auth',
    access: 'app',
    body: IdentifyRequest,
  },
  'POST /v1/auth/refresh': {
    summary: 'Rotate the refresh token',
    tag: 'auth',
    access: 'app',
    body: RefreshRequest,
  },
  'POST /v1/auth/sign-out': { summary: 'End this sign-in', tag: 'auth', access: 'app', body: SignOutRequest },
  'POST /v1/auth/password-reset': {
    summary: 'Email a password reset link',
    tag: 'auth',
    access: 'app',
    body: PasswordResetRequest,
  },
  'POST /v1/auth/password-reset/confirm': {
    summary: 'Choose a new password with the emailed token',
    tag: 'auth',
    access: 'app',
    body: PasswordResetConfirmRequest,
  },
  'GET /v1/auth/methods': { summary: 'How people sign in to the app', tag: 'auth', access: 'app' },
  'GET /v1/me': { summary: 'The signed-in person', tag: 'auth', access: 'user' },

  'POST /v1/account': {
    summary: 'Change name or email (with the password)',
    tag: 'account',
    access: 'user',
    body: UpdateAccountRequest,
  },
  'GET /v1/account/export': { summary: 'Everything stored about you', tag: 'account', access: 'user' },
  'DELETE /v1/account': { summary: 'Delete your account', tag: 'account', access: 'user' },

  'GET /v1/tools': { summary: 'The tools sessions can be about', tag: 'sessions', access: 'public' },
  'GET /v1/availability': {
    summary: 'Whether builders are there (online, busy, offline), the usual wait, when they are back',
    tag: 'availability',
    access: 'app',
  },
  'GET /v1/credits': { summary: 'Your balance', tag: 'credits', access: 'user' },
  'GET /v1/credits/transactions': { summary: 'Your ledger, newest first', tag: 'credits', access: 'user' },
  'GET /v1/credits/packs': { summary: 'Packs for sale and what things cost', tag: 'credits', access: 'app' },
  'POST /v1/credits/checkout': {
    summary: 'Where to pay for a pack (Stripe Checkout)',
    tag: 'credits',
    access: 'user',
    body: CheckoutRequest,
  },
  'POST /v1/webhooks/stripe': {
    summary: 'Stripe events (signature checked, each applied once)',
    tag: 'credits',
    access: 'stripe',
  },

  'GET /dev/checkout/:id': {
    summary: 'Test checkout page',
    tag: 'development',
    access: 'dev',
    media: 'text/html',
  },
  'POST /dev/checkout/:id/pay': {
    summary: 'Pay on the test checkout',
    tag: 'development',
    access: 'dev',
    status: 303,
    media: 'text/html',
  },
  'GET /dev/mail': {
    summary: 'The local email outbox',
    tag: 'development',
    access: 'dev',
    media: 'text/html',
  },

  'POST /v1/sessions': {
    summary: 'Start a session (holds its cost)',
    tag: 'sessions',
    access: 'user',
    body: StartSessionRequest,
    status: 201,
  },
  'GET /v1/sessions': { summary: 'Your sessions, newest first', tag: 'sessions', access: 'user' },
  'GET /v1/sessions/:id': { summary: 'One session', tag: 'sessions', access: 'user' },
  'POST /v1/sessions/:id/cancel': { summary: 'Cancel a waiting session', tag: 'sessions', access: 'user' },
  'POST /v1/sessions/:id/video': { summary: 'Upgrade to video', tag: 'sessions', access: 'user' },
  'DELETE /v1/sessions/:id/transcript': { summary: 'Delete a transcript', tag: 'sessions', access: 'user' },
  'POST /v1/sessions/:id/close': { summary: 'End a session', tag: 'sessions', access: 'user' },
  'POST /v1/sessions/:id/rating': {
    summary: 'Rate a session',
    tag: 'sessions',
    access: 'user',
    body: RateRequest,
  },
  'POST /v1/sessions/:id/read': {
    summary: 'Mark read up to a seq',
    tag: 'sessions',
    access: 'user',
    body: ReadRequest,
  },
  'POST /v1/sessions/:id/typing': { summary: 'Say you are typing', tag: 'sessions', access: 'user' },
  'GET /v1/sessions/:id/messages': {
    summary: 'A page of messages',
    tag: 'messages',
    access: 'user',
    query: MessagesQuery,
  },
  'POST /v1/sessions/:id/messages': {
    summary: 'Send a message (idempotent by its id)',
    tag: 'messages',
    access: 'user',
    body: SendMessageRequest,
    status: 201,
  },
  'POST /v1/sessions/:id/messages/batch': {
    summary: 'Send up to 100 messages in order (each idempotent by its id; the outbox drains with it)',
    tag: 'messages',
    access: 'user',
    body: SendBatchRequest,
    status: 201,
  },
  'POST /v1/server/users/:externalId/credits': {
    summary: 'Grant credits to the user you identify with this `sub`',
    tag: 'server-api',
    access: 'server',
    body: GrantRequest,
    status: 201,
  },
  'GET /v1/server/users/:externalId': {
    summary: 'A user’s balance and session count',
    tag: 'server-api',
    access: 'server',
  },
  'DELETE /v1/server/users/:externalId': {
    summary: 'Erase a user (as their own account deletion does)',
    tag: 'server-api',
    access: 'server',
  },
  'GET /v1/server/sessions': {
    summary: 'Sessions of your app: metadata only, never content',
    tag: 'server-api',
    access: 'server',
    query: ServerSessionsQuery,
  },
  'POST /v1/server/webhook-endpoints': {
    summary: 'Subscribe an https endpoint to webhook events (its signing secret is shown once)',
    tag: 'server-api',
    access: 'server',
    body: CreateWebhookEndpointRequest,
    status: 201,
  },
  'GET /v1/server/webhook-endpoints': {
    summary: 'Your webhook endpoints',
    tag: 'server-api',
    access: 'server',
  },
  'DELETE /v1/server/webhook-endpoints/:id': {
    summary: 'Remove a webhook endpoint',
    tag: 'server-api',
    access: 'server',
  },
  'GET /v1/server/webhook-endpoints/:id/deliveries': {
    summary: 'An endpoint’s recent deliveries and failures',
    tag: 'server-api',
    access: 'server',
  },
  'POST /v1/sessions/:id/attachments': {
    summary: 'Upload a file (raw body, its type in Content-Type)',
    tag: 'messages',
    access: 'user',
    status: 201,
  },

  'GET /v1/builder/queue': { summary: 'Waiting sessions of your tools', tag: 'builder', access: 'builder' },
  'POST /v1/builder/sessions/:id/claim': {
    summary: 'Claim a waiting session (one builder wins)',
    tag: 'builder',
    access: 'builder',
  },
  'GET /v1/builder/availability': {
    summary: 'Your available/away switch',
    tag: 'builder',
    access: 'builder',
  },
  'POST /v1/builder/availability': {
    summary: 'Set your available/away switch',
    tag: 'builder',
    access: 'builder',
    body: BuilderAvailabilityRequest,
  },
  'GET /v1/attachments/:id': {
    summary: 'An attachment’s file',
    tag: 'messages',
    access: 'user',
    media: 'application/octet-stream',
  },
  'POST /v1/audits': {
    summary: 'Ask for a free stack audit',
    tag: 'audits',
    access: 'public',
    body: AuditRequest,
    status: 201,
  },
}

/**
 * Webhooks the server sends to a vendor's endpoint, by event type: `{ summary, payload }`. (The
 * vendor webhooks are added here with their payload schemas; the document lists them under
 * `webhooks`.)
 */
export const WEBHOOKS: Record<string, { summary: string; payload: z.ZodMiniType }> = Object.fromEntries(
  WEBHOOK_EVENT_TYPES.map((type) => [
    type,
    {
      summary: `${type}, signed: Suportra-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
      payload:
        WebhookEvent.def.options.find((option) =>
          (option.shape.type.def.values as readonly string[]).includes(type),
        ) ?? WebhookEvent,
    },
  ]),
)

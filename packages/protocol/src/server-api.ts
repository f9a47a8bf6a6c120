import * as z from 'zod/mini'
import { SessionKind, SessionStatus, Transaction } from './models.js'

/**
 * The vendor's server API (`/v1/server/…`, authenticated with a server key `sk_…`) and the webhooks
 * it sends: `@suportra/protocol/server-api`. Only vendors' backends and the server use it, so it is
 * a separate entry and no browser bundle carries it. Everything here is metadata: message text,
 * session topics and context, files and rating comments never appear (the privacy policy keeps
 * session content between the user and the assigned builder).
 */

const id = z.string()
const timestamp = z.number()
const count = z.number()

/** The longest `externalId` (a vendor's user id, the `sub` of its identity tokens). */
export const EXTERNAL_ID_MAX = 200
/** The longest `Idempotency-Key` (printable ASCII, no spaces). */
export const IDEMPOTENCY_KEY_MAX = 255
/** The largest single grant. */
export const GRANT_MAX = 1_000_000
/** Webhook endpoints per app. */
export const WEBHOOK_ENDPOINTS_MAX = 10

/** Every webhook event type. */
export const WEBHOOK_EVENT_TYPES = [
  'session.started',
  'session.claimed',
  'session.closed',
  'session.cancelled',
  'session.rated',
  'credits.purchased',
  'credits.granted',
  'user.deleted',
] as const
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES)
export type WebhookEventType = z.infer<typeof WebhookEventType>

// ---- Requests ----

/** `POST /v1/server/users/{externalId}/credits`: a whole, positive number of credits and why. */
export const GrantRequest = z.strictObject({
  amount: z.int().check(z.minimum(1), z.maximum(GRANT_MAX)),
  reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
})
export type GrantRequest = z.infer<typeof GrantRequest>

/** `POST /v1/server/webhook-endpoints`. */
export const CreateWebhookEndpointRequest = z.strictObject({
  url: z.string().check(z.minLength(1), z.maxLength(2048)),
  events: z.array(WebhookEventType).check(z.minLength(1), z.maxLength(WEBHOOK_EVENT_TYPES.length)),
})
export type CreateWebhookEndpointRequest = z.infer<typeof CreateWebhookEndpointRequest>

const digits = (max: number) =>
  z.string().check(z.regex(new RegExp(`^\\d{1,${max}}$`), 'Expected a whole number'))

/**
 * `GET /v1/server/sessions` query (strings, as in the URL): `since` is a time in milliseconds,
 * `cursor` the `nextCursor` of the page before, `limit` 1 to 500 (100 by default).
 */
export const ServerSessionsQuery = z.strictObject({
  status: z.optional(SessionStatus),
  since: z.optional(digits(16)),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  limit: z.optional(digits(3)),
})
export type ServerSessionsQuery = z.infer<typeof ServerSessionsQuery>

// ---- Models ----

/** A user as the vendor's backend sees them. `externalId` is null for password accounts. */
export const ServerUser = z.object({
  id,
  externalId: z.nullable(z.string()),
  createdAt: timestamp,
  balance: count,
  /** Sessions the user started, in any state. */
  sessions: count,
})
export type ServerUser = z.infer<typeof ServerUser>

/** A session's metadata: never its topic, context, messages, files or rating comment. */
export const ServerSession = z.object({
  id,
  appId: z.string(),
  userId: z.string(),
  externalId: z.nullable(z.string()),
  tool: z.string(),
  kind: SessionKind,
  status: SessionStatus,
  createdAt: timestamp,
  assignedAt: z.nullable(timestamp),
  closedAt: z.nullable(timestamp),
  builder: z.nullable(z.object({ name: z.string() })),
  rating: z.nullable(z.object({ score: count })),
})
export type ServerSession = z.infer<typeof ServerSession>

/** A webhook endpoint; its signing secret is shown once, when it is created. */
export const WebhookEndpoint = z.object({
  id,
  url: z.string(),
  events: z.array(WebhookEventType),
  createdAt: timestamp,
})
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>

export const WebhookDeliveryStatus = z.enum(['pending', 'delivered', 'failed'])

/** One event's delivery to one endpoint: retried until delivered, or `failed` after 24 hours. */
export const WebhookDelivery = z.object({
  id,
  eventId: z.string(),
  type: WebhookEventType,
  status: WebhookDeliveryStatus,
  attempts: count,
  /** The endpoint's last HTTP status, or null when it could not be reached. */
  lastStatus: z.nullable(count),
  lastError: z.nullable(z.string()),
  nextAttemptAt: z.nullable(timestamp),
  createdAt: timestamp,
  deliveredAt: z.nullable(timestamp),
})
export type WebhookDelivery = z.infer<typeof WebhookDelivery>

// ---- Responses ----

export const ServerUserResponse = z.object({ user: ServerUser })
export const GrantResponse = z.object({ user: ServerUser, transaction: Transaction })
export type GrantResponse = z.infer<typeof GrantResponse>
export const ServerSessionsResponse = z.object({
  sessions: z.array(ServerSession),
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: z.nullable(z.string()),
})
export type ServerSessionsResponse = z.infer<typeof ServerSessionsResponse>
export const ServerDeletedResponse = z.object({ deleted: z.literal(true) })
export const WebhookEndpointCreatedResponse = z.object({
  ...WebhookEndpoint.shape,
  /** `whsec_…`: verifies the `Suportra-Signature` header. Shown only here. */
  secret: z.string(),
})
export const WebhookEndpointsResponse = z.object({ endpoints: z.array(WebhookEndpoint) })
export const WebhookDeliveriesResponse = z.object({
  deliveries: z.array(WebhookDelivery),
  nextCursor: z.nullable(z.string()),
})

// ---- Webhook payloads (the JSON body of each delivery) ----

const UserRef = z.object({ userId: z.string(), externalId: z.nullable(z.string()) })

const event = <T extends WebhookEventType, D extends z.ZodMiniType>(type: T, data: D) =>
  z.object({ id, type: z.literal(type), created: timestamp, data })

const SessionData = z.object({ session: ServerSession })

/** What a webhook delivery's body holds: `{ id, type, created (unix seconds), data }`. */
export const WebhookEvent = z.discriminatedUnion('type', [
  event('session.started', SessionData),
  event('session.claimed', SessionData),
  event('session.closed', SessionData),
  event('session.cancelled', SessionData),
  event('session.rated', SessionData),
  event(
    'credits.purchased',
    z.object({ ...UserRef.shape, purchaseId: z.string(), packId: z.string(), credits: count }),
  ),
  event(
    'credits.granted',
    z.object({
      ...UserRef.shape,
      transactionId: z.string(),
      amount: count,
      reason: z.string(),
      /** `api`: through the server API; `operator`: by the server's operator. */
      source: z.enum(['api', 'operator']),
    }),
  ),
  event(
    'user.deleted',
    z.object({
      ...UserRef.shape,
      /** Who asked: the user (their account deletion) or the vendor (`DELETE /v1/server/users/…`). */
      source: z.enum(['user', 'api']),
    }),
  ),
])
export type WebhookEvent = z.infer<typeof WebhookEvent>

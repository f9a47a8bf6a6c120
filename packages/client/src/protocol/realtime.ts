import * as z from 'zod/mini'
import { ERROR_CODES } from './errors.js'
import { JsonObject, Message, QueueInfo, Session } from './models.js'

/** Close codes the server uses on the realtime socket. */
export const CLOSE_CODES = {
  /** The server is shutting down or restarting: reconnect. */
  goingAway: 1001,
  /** A frame that is not part of the protocol. */
  protocolError: 4000,
  /** The access token is missing, invalid or expired: refresh it, then reconnect. */
  unauthorized: 4001,
  /** The sign-in was revoked (sign-out, refresh token reuse, account deleted): do not reconnect. */
  revoked: 4003,
  /** No `auth` frame arrived in time. */
  authTimeout: 4008,
  /** Too many sockets (per user or per IP) or too many frames: reconnect slowly. */
  rateLimited: 4029,
} as const

const sessionId = z.string()
const side = z.enum(['user', 'builder'])

/**
 * Server → client events, by `type`. (A map rather than a discriminated union: the client bundles
 * these schemas, and the union machinery would cost more than the lookup.)
 */
export const REALTIME_EVENTS = {
  /** Authentication succeeded and every requested replay has been sent. */
  ready: z.object({ userId: z.string(), heartbeatMs: z.number(), resumeWindow: z.number() }),
  message: z.object({ message: Message }),
  session: z.object({ session: Session }),
  typing: z.object({ sessionId, author: side, userId: z.string() }),
  read: z.object({ sessionId, author: side, seq: z.number() }),
  /** Builders only: a session entered or left the queue. */
  queue: z.object({ action: z.enum(['added', 'removed']), session: Session }),
  /** The user only: their own waiting session's new place in the queue. */
  position: z.object({ sessionId, queue: QueueInfo }),
  credits: z.object({ balance: z.number() }),
  /** Too much was missed (or the session is unknown): reload the session over HTTP. */
  continuity_lost: z.object({ sessionId, reason: z.string() }),
  pong: JsonObject,
  /** The access token expired: send a new `auth` frame on this socket, or it is closed with 4001. */
  reauth: JsonObject,
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }),
}

type Events = typeof REALTIME_EVENTS
export type RealtimeEventType = keyof Events
export type RealtimeEvent = { [K in RealtimeEventType]: { type: K } & z.infer<Events[K]> }[RealtimeEventType]

/** Validates one event; undefined when it is not a known, well-formed event. */
export function parseRealtimeEvent(value: unknown): RealtimeEvent | undefined {
  const type = (value as { type?: unknown } | null)?.type
  const schema =
    typeof type === 'string' && Object.hasOwn(REALTIME_EVENTS, type)
      ? REALTIME_EVENTS[type as RealtimeEventType]
      : undefined
  const parsed = schema?.safeParse(value)
  return parsed?.success ? ({ ...parsed.data, type } as RealtimeEvent) : undefined
}

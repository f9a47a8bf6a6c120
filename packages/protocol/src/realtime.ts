import * as z from 'zod/mini'
import { ERROR_CODES } from './error-codes.js'
import type { RealtimeEventType } from './event-types.js'
import { JsonObject, Message, QueueInfo, Role, Session } from './models.js'

const sessionId = z.string()

/**
 * Server → client events, by `type`. (A map rather than a discriminated union: the client bundles
 * these schemas, and the union machinery would cost more than the lookup.)
 */
export const REALTIME_EVENTS = {
  /** Authentication succeeded and every requested replay has been sent. */
  ready: z.object({ userId: z.string(), heartbeatMs: z.number(), resumeWindow: z.number() }),
  message: z.object({ message: Message }),
  session: z.object({ session: Session }),
  typing: z.object({ sessionId, author: Role, userId: z.string() }),
  read: z.object({ sessionId, author: Role, seq: z.number() }),
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
  /**
   * Users: whether builders are there for the user's app (any tool) changed. The payload is an
   * `Availability` (`./availability.ts`), checked by `@suportra/client/availability`: kept loose here
   * so the core client does not carry its schema.
   */
  availability: z.object({ availability: JsonObject }),
} satisfies Record<RealtimeEventType, unknown>

type Events = typeof REALTIME_EVENTS
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

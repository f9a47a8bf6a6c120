import * as z from 'zod/mini'
import { ERROR_CODES } from './errors.js'
import { Message, Session } from './models.js'

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
} as const

// ---- client → server ----

export const AuthFrame = z.strictObject({
  type: z.literal('auth'),
  token: z.string().check(z.maxLength(4096)),
  /** Last `seq` the client holds per session id; the server replays what came after. */
  resume: z.optional(z.record(z.string().check(z.maxLength(64)), z.int().check(z.gte(0)))),
})
export type AuthFrame = z.infer<typeof AuthFrame>

export const PingFrame = z.strictObject({ type: z.literal('ping') })

export const ClientFrame = z.discriminatedUnion('type', [AuthFrame, PingFrame])
export type ClientFrame = z.infer<typeof ClientFrame>

// ---- server → client ----

const sessionId = z.string()
const side = z.enum(['user', 'builder'])

export const RealtimeEvent = z.discriminatedUnion('type', [
  /** Authentication succeeded and every requested replay has been sent. */
  z.object({
    type: z.literal('ready'),
    userId: z.string(),
    heartbeatMs: z.int(),
    resumeWindow: z.int(),
  }),
  z.object({ type: z.literal('message'), message: Message }),
  z.object({ type: z.literal('session'), session: Session }),
  z.object({ type: z.literal('typing'), sessionId, author: side, userId: z.string() }),
  z.object({ type: z.literal('read'), sessionId, author: side, seq: z.int() }),
  /** Builders only: a session entered or left the queue. */
  z.object({ type: z.literal('queue'), action: z.enum(['added', 'removed']), session: Session }),
  z.object({ type: z.literal('credits'), balance: z.int() }),
  /** Too much was missed (or the session is unknown): reload the session over HTTP. */
  z.object({ type: z.literal('continuity_lost'), sessionId, reason: z.string() }),
  z.object({ type: z.literal('pong') }),
  z.object({ type: z.literal('error'), code: z.enum(ERROR_CODES), message: z.string() }),
])
export type RealtimeEvent = z.infer<typeof RealtimeEvent>
export type RealtimeEventType = RealtimeEvent['type']

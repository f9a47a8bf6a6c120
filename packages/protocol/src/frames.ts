/** Frames the client sends on the realtime socket (validated by the server). */
import * as z from 'zod/mini'

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

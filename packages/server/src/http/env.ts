import type { Context as HonoContext } from 'hono'
import type { Caller } from '../caller.js'
import type { Context } from '../context.js'

/** What every request carries: the server's context and, once checked, the caller. */
export interface Env {
  Variables: { ctx: Context; caller: Caller | undefined }
}
export type C = HonoContext<Env>

import type { Session } from '@suportra/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { describeSessions, sessionQuery } from '../sessions/sessions.js'
import { toolsOf } from '../users/users.js'

/** Sessions shown in a builder's queue at most (oldest first). */
const QUEUE_PAGE = 200

/**
 * The waiting sessions of the tools a builder covers, oldest first, with their places in the
 * queue: a constant number of queries however long the queue is.
 */
export async function builderQueue(ctx: Context, caller: Caller): Promise<Session[]> {
  const tools = await toolsOf(ctx.store, caller.userId)
  if (tools.length === 0) return []
  const rows = await sessionQuery(ctx.store)
    .where('s.status', '=', 'waiting')
    .where('s.tool', 'in', tools)
    .orderBy('s.created_at', 'asc')
    .limit(QUEUE_PAGE)
    .execute()
  return describeSessions(ctx, rows)
}

import type { Context } from '../context.js'
import { balanceOf } from './ledger.js'

/** Tells a user their balance changed (to each of their open sockets). */
export async function notifyCredits(ctx: Context, userId: string): Promise<void> {
  const balance = await balanceOf(ctx.store.db, userId)
  ctx.bus.publish({ kind: 'event', users: [userId], event: { type: 'credits', balance } })
}

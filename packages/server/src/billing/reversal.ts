import type { Context } from '../context.js'
import { charge, settleHold } from '../credits/ledger.js'
import { notifyCredits } from '../credits/notify.js'
import type { Tx } from '../db/database.js'
import type { MessageRow } from '../db/schema.js'
import { announceCancelled } from '../sessions/announce.js'
import { type QueueKey, queueChanged } from '../sessions/queue-position.js'
import { appendEvent } from '../sessions/transcript.js'

/**
 * Brings a payment's credits in line with what Stripe reported: when a full refund or a dispute is on
 * record for a purchase that was paid, the purchase turns refunded, the user's waiting sessions are
 * cancelled (their holds come back first), and the pack's credits are taken back — what is left of
 * them; the balance never goes below zero.
 *
 * All of it is one transaction under the user's lock (the row lock every hold takes on PostgreSQL;
 * SQLite has one writer). A session start that races the reversal either committed its hold before
 * the lock (then it is withdrawn here) or charges after the commit, against the balance without the
 * refunded credits: no hold can outlive the reversal and hand refunded credits back when cancelled.
 * Idempotent: a second delivery finds the reversal row and does nothing.
 */
export async function reconcile(ctx: Context, paymentIntent: string): Promise<void> {
  const { db } = ctx.store
  const reversing = await db
    .selectFrom('stripe_events')
    .select('id')
    .where('payment_intent', '=', paymentIntent)
    .where('reverses', '=', 1)
    .executeTakeFirst()
  if (!reversing) return
  const owner = await db
    .selectFrom('purchases')
    .select('user_id')
    .where('payment_intent', '=', paymentIntent)
    .executeTakeFirst()
  const userId = owner?.user_id
  if (!userId) return
  const withdrawn = await ctx.store.transaction(async (tx) => {
    await ctx.store.lockUser(tx, userId)
    const purchase = await tx
      .selectFrom('purchases')
      .selectAll()
      .where('payment_intent', '=', paymentIntent)
      .executeTakeFirst()
    if (!purchase || purchase.status === 'pending' || purchase.user_id !== userId) return null
    // Only credits that were granted can be taken back, and only once.
    const ledger = await tx
      .selectFrom('ledger')
      .select('idempotency_key')
      .where('idempotency_key', 'in', [`purchase:${purchase.id}`, `reversal:${purchase.id}`])
      .execute()
    const keys = new Set(ledger.map((row) => row.idempotency_key))
    if (!keys.has(`purchase:${purchase.id}`) || keys.has(`reversal:${purchase.id}`)) return null
    await tx
      .updateTable('purchases')
      .set({ status: 'refunded', refunded_at: Date.now() })
      .where('id', '=', purchase.id)
      .where('status', '=', 'paid')
      .execute()
    // Holds come back before the reversal: had they stayed, cancelling later would return credits
    // that the reversal could not take.
    const cancelled = await withdrawWaitingIn(tx, userId)
    await charge(ctx, tx, userId, purchase.credits, {
      kind: 'reversal',
      key: `reversal:${purchase.id}`,
      reference: paymentIntent,
    })
    return cancelled
  })
  if (withdrawn === null) return
  for (const event of withdrawn.events) await announceCancelled(ctx, event)
  // Once for all of them: the users behind move up.
  queueChanged(ctx, withdrawn.sessions)
  await notifyCredits(ctx, userId)
}

/**
 * Cancels every waiting session of `userId` inside `tx`, releasing each hold once: returns their
 * `cancelled` events and where they stood in the queue.
 */
async function withdrawWaitingIn(
  tx: Tx,
  userId: string,
): Promise<{ events: MessageRow[]; sessions: QueueKey[] }> {
  const sessions = await tx
    .updateTable('sessions')
    .set({ status: 'cancelled', closed_at: Date.now() })
    .where('user_id', '=', userId)
    .where('status', '=', 'waiting')
    .returning(['id', 'cost', 'created_at'])
    .execute()
  const events: MessageRow[] = []
  for (const session of sessions) {
    await settleHold(tx, userId, session.cost, session.id, 'release')
    events.push(await appendEvent(tx, session.id, 'cancelled'))
  }
  return { events, sessions }
}

import type { Transaction } from '@suportra/protocol'
import { sql } from 'kysely'
import type { Context } from '../context.js'
import type { Database, Tx } from '../db/database.js'
import type { DB } from '../db/schema.js'
import { queueEmail } from '../email/outbox.js'
import { lowBalance } from '../email/templates.js'
import { DomainError } from '../errors.js'
import { newId } from '../ids.js'

type Kind = DB['ledger']['kind']
type Queryable = Database['db'] | Tx

/** The balance is derived: the sum of the user's ledger rows. */
export async function balanceOf(q: Queryable, userId: string): Promise<number> {
  const row = await q
    .selectFrom('ledger')
    .select(sql<number>`coalesce(sum(amount), 0)`.as('balance'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow()
  return Number(row.balance)
}

/**
 * Appends a ledger row unless one with the same idempotency key exists.
 * Returns false (and writes nothing) for a repeat.
 */
export async function appendEntry(
  tx: Tx,
  entry: { userId: string; kind: Kind; amount: number; key: string; reference: string | null },
): Promise<boolean> {
  const result = await tx
    .insertInto('ledger')
    .values({
      id: newId('txn'),
      user_id: entry.userId,
      kind: entry.kind,
      amount: entry.amount,
      idempotency_key: entry.key,
      reference: entry.reference,
      created_at: Date.now(),
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .executeTakeFirst()
  return result.numInsertedOrUpdatedRows !== 0n
}

/**
 * Takes `amount` credits (a hold, a video charge) if the balance covers it, inside the caller's
 * transaction: the user's balance is locked so concurrent charges cannot overdraw it. Crossing the
 * low-balance threshold queues one warning email.
 */
export async function charge(
  ctx: Context,
  tx: Tx,
  userId: string,
  amount: number,
  entry: { kind: 'hold' | 'video' | 'reversal'; key: string; reference: string },
) {
  await ctx.store.lockUser(tx, userId)
  const balance = await balanceOf(tx, userId)
  if (balance < amount && entry.kind !== 'reversal') {
    throw new DomainError(
      'insufficient_credits',
      `This needs ${amount} credit${amount === 1 ? '' : 's'}; your balance is ${balance}`,
      { details: { balance, cost: amount } },
    )
  }
  // A reversal (a refunded purchase) takes back what is left, never more: the balance stays >= 0.
  const taken = Math.min(amount, balance)
  // Already applied (a redelivered reversal): nothing changed, so nothing to warn about.
  if (!(await appendEntry(tx, { userId, amount: -taken, ...entry }))) return
  await warnIfLow(ctx, tx, userId, balance, balance - taken)
}

/** Queues the low-balance email when a change moves the balance from above the threshold to at or below it. */
async function warnIfLow(ctx: Context, tx: Tx, userId: string, before: number, after: number) {
  const threshold = ctx.config.lowBalanceThreshold
  if (!(before > threshold && after <= threshold)) return
  const user = await tx
    .selectFrom('users')
    .select(['name', 'email'])
    .where('id', '=', userId)
    .executeTakeFirst()
  if (user?.email)
    await queueEmail(tx, {
      userId,
      to: user.email,
      kind: 'low_balance',
      ...lowBalance({ name: user.name, balance: after }),
    })
}

/**
 * Resolves the hold for `reference` exactly once: `capture` keeps the credits spent, `release`
 * gives them back. Both share one idempotency key, so a hold can never be resolved twice.
 */
export async function settleHold(
  tx: Tx,
  userId: string,
  amount: number,
  reference: string,
  outcome: 'capture' | 'release',
) {
  const resolved = await appendEntry(tx, {
    userId,
    kind: outcome,
    amount: outcome === 'release' ? amount : 0,
    key: `settle:${reference}`,
    reference,
  })
  if (!resolved) throw new DomainError('conflict', 'This hold was already settled')
}

export async function listTransactions(q: Queryable, userId: string, limit = 200): Promise<Transaction[]> {
  const rows = await q
    .selectFrom('ledger')
    .select(['id', 'kind', 'amount', 'reference', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    amount: r.amount,
    reference: r.reference,
    createdAt: r.created_at,
  }))
}

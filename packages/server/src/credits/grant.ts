import type { Transaction } from '@suportra/protocol'
import { GRANT_MAX } from '@suportra/protocol/server-api'
import type { Context } from '../context.js'
import type { Tx } from '../db/database.js'
import { conflict, invalid } from '../errors.js'
import { newId } from '../ids.js'
import { queueWebhook } from '../webhooks/outbox.js'
import { appendEntry, balanceOf } from './ledger.js'
import { notifyCredits } from './notify.js'

/** Who gave the credits: a vendor's backend through the server API, or an operator's command. */
export type GrantSource = 'api' | 'operator'

export interface Grant {
  userId: string
  /** A whole number of credits, 1 to 1,000,000. */
  amount: number
  /** Why, in a few words; the user sees it as the transaction's reference. */
  reason: string
  source: GrantSource
  /**
   * Makes the grant happen once: a second grant with the same source and key adds nothing (and
   * returns the first one's row). Without it every call grants.
   */
  key?: string
}

export interface GrantResult {
  transaction: Transaction
  balance: number
  /** False when `key` was granted before: nothing was added this time. */
  granted: boolean
}

/**
 * Grants credits inside `tx`: a ledger row of kind `grant` (the balance is locked while it is added,
 * like every other change to it) and a `credits.granted` webhook for the user's app. The caller
 * commits, then calls `notifyCredits` so the user's open widgets show the new balance.
 */
export async function appendGrant(ctx: Context, tx: Tx, grant: Grant): Promise<GrantResult> {
  if (!Number.isSafeInteger(grant.amount) || grant.amount < 1 || grant.amount > GRANT_MAX) {
    throw invalid(`amount must be a whole number from 1 to ${GRANT_MAX}`)
  }
  const reason = grant.reason.trim()
  if (reason === '' || reason.length > 200) throw invalid('reason must be 1 to 200 characters')
  await ctx.store.lockUser(tx, grant.userId)
  const key = `grant:${grant.source}:${grant.key ?? newId('once')}`
  const granted = await appendEntry(tx, {
    userId: grant.userId,
    kind: 'grant',
    amount: grant.amount,
    key,
    reference: reason,
  })
  const row = await tx
    .selectFrom('ledger')
    .select(['id', 'kind', 'amount', 'reference', 'created_at', 'user_id'])
    .where('idempotency_key', '=', key)
    .executeTakeFirstOrThrow()
  // The key was spent on another user's grant (an old idempotency key used again): refuse.
  if (row.user_id !== grant.userId) throw conflict('This grant key was already used for another user')
  const transaction: Transaction = {
    id: row.id,
    kind: row.kind,
    amount: row.amount,
    reference: row.reference,
    createdAt: Number(row.created_at),
  }
  if (granted) {
    const user = await tx
      .selectFrom('users')
      .select(['app_id', 'external_id'])
      .where('id', '=', grant.userId)
      .executeTakeFirst()
    if (user?.app_id) {
      await queueWebhook(tx, {
        appId: user.app_id,
        type: 'credits.granted',
        data: {
          userId: grant.userId,
          externalId: user.external_id,
          transactionId: row.id,
          amount: row.amount,
          reason,
          source: grant.source,
        },
      })
    }
  }
  return { transaction, balance: await balanceOf(tx, grant.userId), granted }
}

/**
 * Grants credits to a user in a transaction of its own and tells their open widgets — for callers
 * outside a request's transaction (an operator's command).
 */
export async function grantCredits(ctx: Context, grant: Grant): Promise<GrantResult> {
  const result = await ctx.store.transaction((tx) => appendGrant(ctx, tx, grant))
  if (result.granted) await notifyCredits(ctx, grant.userId)
  return result
}

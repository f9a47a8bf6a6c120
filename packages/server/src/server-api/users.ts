import type { GrantRequest, GrantResponse, ServerUser } from '@suportra/protocol/server-api'
import { sql } from 'kysely'
import { deleteAccount } from '../account/account.js'
import type { Context } from '../context.js'
import { appendGrant } from '../credits/grant.js'
import { balanceOf } from '../credits/ledger.js'
import type { Database, Tx } from '../db/database.js'
import { notFound } from '../errors.js'
import { newId } from '../ids.js'

type Queryable = Database['db'] | Tx

/**
 * The user `externalId` names in `appId` (the `sub` of the app's identity tokens), as the vendor's
 * backend sees them. A user of another app is not found: one app's key never reaches another's users.
 */
export async function findServerUser(q: Queryable, appId: string, externalId: string) {
  return q
    .selectFrom('users')
    .select(['id', 'external_id', 'created_at'])
    .where('app_id', '=', appId)
    .where('external_id', '=', externalId)
    .executeTakeFirst()
}

async function describe(
  q: Queryable,
  user: { id: string; external_id: string | null; created_at: number },
): Promise<ServerUser> {
  const sessions = await q
    .selectFrom('sessions')
    .select(sql<number>`count(*)`.as('n'))
    .where('user_id', '=', user.id)
    .executeTakeFirstOrThrow()
  return {
    id: user.id,
    externalId: user.external_id,
    createdAt: Number(user.created_at),
    balance: await balanceOf(q, user.id),
    sessions: Number(sessions.n),
  }
}

/** `GET /v1/server/users/{externalId}`: balance and session count (404 if the user does not exist). */
export async function getServerUser(ctx: Context, appId: string, externalId: string): Promise<ServerUser> {
  const user = await findServerUser(ctx.store.db, appId, externalId)
  if (!user) throw notFound('User')
  return describe(ctx.store.db, user)
}

/**
 * Grants credits to the user `externalId` of `appId`, inside `tx`. A user who has not signed in yet
 * is created (as the first identity token would), so a vendor can give credits at sign-up on their
 * side. `key` (the request's Idempotency-Key) makes the ledger row itself unique per app and key.
 */
export async function grantToUser(
  ctx: Context,
  tx: Tx,
  appId: string,
  externalId: string,
  input: GrantRequest,
  key: string | undefined,
): Promise<GrantResponse> {
  await tx
    .insertInto('users')
    .values({
      id: newId('usr'),
      name: 'Guest',
      email: null,
      login_email: null,
      password_hash: null,
      role: 'user',
      tools: '[]',
      app_id: appId,
      external_id: externalId,
      created_at: Date.now(),
    })
    .onConflict((oc) => oc.columns(['app_id', 'external_id']).doNothing())
    .execute()
  const user = await findServerUser(tx, appId, externalId)
  if (!user) throw notFound('User')
  const result = await appendGrant(ctx, tx, {
    userId: user.id,
    amount: input.amount,
    reason: input.reason,
    source: 'api',
    ...(key !== undefined && { key: `${appId}:${key}` }),
  })
  return { user: await describe(tx, user), transaction: result.transaction }
}

/** `DELETE /v1/server/users/{externalId}`: erases the user as their own account deletion does. */
export async function deleteServerUser(ctx: Context, appId: string, externalId: string): Promise<void> {
  const user = await findServerUser(ctx.store.db, appId, externalId)
  if (!user) throw notFound('User')
  await deleteAccount(ctx, { userId: user.id }, 'api')
}

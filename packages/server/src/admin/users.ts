import type { Context } from '../context.js'
import { grantCredits } from '../credits/grant.js'
import { balanceOf } from '../credits/ledger.js'
import { UsageError } from './usage-error.js'

/** `users show`: one account by email, login email, id or vendor id (`app_id:external_id`), with its balance. */
export async function lookUpUser(ctx: Context, query: string) {
  const { db } = ctx.store
  const [appId, externalId] = query.includes(':') ? query.split(/:(.*)/s) : []
  const rows = await db
    .selectFrom('users')
    .select([
      'id',
      'name',
      'email',
      'role',
      'app_id',
      'external_id',
      'locale',
      'deactivated_at',
      'created_at',
    ])
    .where((eb) =>
      eb.or([
        eb('id', '=', query),
        eb('login_email', '=', query.toLowerCase()),
        eb('email', '=', query),
        ...(appId && externalId
          ? [eb.and([eb('app_id', '=', appId), eb('external_id', '=', externalId)])]
          : []),
      ]),
    )
    .limit(20)
    .execute()
  return Promise.all(
    rows.map(async (row) => ({
      ...row,
      balance: await balanceOf(db, row.id),
      sessions: Number(
        (
          await db
            .selectFrom('sessions')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('user_id', '=', row.id)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    })),
  )
}

/**
 * `users grant`: credits for one account (found as `users show` finds it), with the reason the user
 * sees on the transaction — goodwill, or giving back what a session that went wrong cost (a refund
 * is a grant whose reason says so). A ledger row of kind `grant` and a `credits.granted` webhook,
 * as a grant through the server API makes.
 */
export async function grantToUser(
  ctx: Context,
  query: string,
  amount: string | undefined,
  reason: string | undefined,
) {
  if (!reason?.trim())
    throw new UsageError('users grant needs --reason "…" (the user sees it on the transaction)')
  const credits = Number(amount)
  if (!Number.isSafeInteger(credits) || credits < 1)
    throw new UsageError('users grant needs --amount N (a whole number, 1 or more)')
  const found = await lookUpUser(ctx, query)
  if (found.length !== 1) {
    throw new UsageError(
      found.length === 0 ? `No user ${query}` : `${query} matches ${found.length} users: give the user id`,
    )
  }
  const [user] = found as [(typeof found)[number]]
  return grantCredits(ctx, { userId: user.id, amount: credits, reason, source: 'operator' })
}

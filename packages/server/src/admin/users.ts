import type { Context } from '../context.js'
import { balanceOf } from '../credits/ledger.js'

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

import { hashPassword } from './auth/passwords.js'
import type { Context } from './context.js'
import { appendEntry } from './credits/ledger.js'
import { isUniqueViolation } from './db/database.js'
import { newId } from './ids.js'
import { createApiKey, hashKey } from './server-api/keys.js'
import { createPasswordUser, findByLogin } from './users/users.js'

/** The demo data every example and test relies on (DESIGN.md §4). Safe to run on every start. */
export const DEMO = {
  appId: 'app_demo',
  identitySecret: 'demo-identity-secret',
  origins: ['http://localhost:*', 'http://127.0.0.1:*'],
  user: { name: 'Ada Lovelace', email: 'ada@example.com', password: 'demo-password', credits: 3 },
  builder: { name: 'Grace Hopper', email: 'grace@example.com', password: 'demo-password' },
  /** The demo app's server API key (`Authorization: Bearer sk_test_demo`). */
  serverKey: 'sk_test_demo',
} as const

export async function seedDemo(ctx: Context): Promise<void> {
  if (!(await ctx.apps.get(DEMO.appId))) {
    await ctx.apps.create({
      id: DEMO.appId,
      name: 'Demo app',
      allowedOrigins: [...DEMO.origins],
      identitySecret: DEMO.identitySecret,
    })
  }
  if (!(await findByLogin(ctx.store, DEMO.user.email))) {
    const user = await createPasswordUser(ctx.store, {
      name: DEMO.user.name,
      email: DEMO.user.email,
      passwordHash: await hashPassword(DEMO.user.password, ctx.config.scryptCost),
    })
    await ctx.store.transaction((tx) =>
      appendEntry(tx, {
        userId: user.id,
        kind: 'grant',
        amount: DEMO.user.credits,
        // A random key: a kept (anonymised) billing row must not carry the user's id.
        key: newId('seed'),
        reference: 'demo seed',
      }),
    )
  }
  const key = await ctx.store.db
    .selectFrom('api_keys')
    .select('id')
    .where('key_hash', '=', hashKey(DEMO.serverKey))
    .executeTakeFirst()
  // (Two instances starting at once: the second's insert meets the unique hash, which is fine.)
  if (!key)
    await createApiKey(ctx.store, { appId: DEMO.appId, name: 'demo', key: DEMO.serverKey }).catch((error) => {
      if (!isUniqueViolation(error)) throw error
    })
  if (!(await findByLogin(ctx.store, DEMO.builder.email))) {
    await createPasswordUser(ctx.store, {
      name: DEMO.builder.name,
      email: DEMO.builder.email,
      passwordHash: await hashPassword(DEMO.builder.password, ctx.config.scryptCost),
      role: 'builder',
      tools: ctx.config.tools.map((tool) => tool.id),
    })
  }
}

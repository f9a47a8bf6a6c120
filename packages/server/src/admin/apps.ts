import type { Context } from '../context.js'
import { newSecret } from '../ids.js'

function checkOrigins(origins: string[]) {
  if (origins.length === 0) throw new Error('Give at least one --origin (e.g. https://app.example.com)')
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new Error(`Not an origin: ${origin} (scheme://host[:port], no path)`)
  }
}

async function existing(ctx: Context, appId: string) {
  const app = await ctx.store.db.selectFrom('apps').select(['id']).where('id', '=', appId).executeTakeFirst()
  if (!app) throw new Error(`No app ${appId} (see apps list)`)
}

/** `apps origins`: replaces the origins an app's widget may run on. */
export async function setOrigins(ctx: Context, appId: string, origins: string[]) {
  checkOrigins(origins)
  await existing(ctx, appId)
  await ctx.store.db
    .updateTable('apps')
    .set({ allowed_origins: JSON.stringify(origins) })
    .where('id', '=', appId)
    .execute()
}

/**
 * `apps rotate-secret`: a new identity secret; the old one stays valid for `overlapHours` so the
 * vendor can deploy the new one without signing anyone out (both verify tokens until then).
 */
export async function rotateIdentitySecret(ctx: Context, appId: string, overlapHours: number) {
  if (!(overlapHours >= 0 && overlapHours <= 24 * 30))
    throw new Error('--overlap-hours must be from 0 to 720')
  await existing(ctx, appId)
  const secret = newSecret()
  const until = Date.now() + overlapHours * 3_600_000
  await ctx.store.transaction(async (tx) => {
    const app = await tx
      .selectFrom('apps')
      .select('identity_secret')
      .where('id', '=', appId)
      .executeTakeFirstOrThrow()
    await tx
      .updateTable('apps')
      .set({
        identity_secret: secret,
        previous_identity_secret: app.identity_secret,
        previous_secret_expires_at: until,
      })
      .where('id', '=', appId)
      .execute()
  })
  return { secret, previousValidUntil: until }
}

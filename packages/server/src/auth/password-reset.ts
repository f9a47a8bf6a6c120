import { LIMITS } from '@suportra/protocol'
import type { App } from '../apps/apps.js'
import type { Context } from '../context.js'
import { queueEmail } from '../email/outbox.js'
import { passwordReset, RESET_FRAGMENT } from '../email/templates.js'
import { DomainError, forbidden } from '../errors.js'
import { newId, newSecret, sha256 } from '../ids.js'
import { findByLogin } from '../users/users.js'
import { hashGate } from './hash-gate.js'
import { hashPassword } from './passwords.js'

const LINK_TTL_MS = LIMITS.passwordResetMinutes * 60_000

export const badLink = (): DomainError =>
  new DomainError(
    'validation',
    'This password reset link is invalid, expired or already used: ask for a new one',
    {
      details: { reason: 'reset_link' },
    },
  )

/** Emails a one-time reset link to the account of `email`, if it has a password (see the routes). */
export async function sendResetLink(ctx: Context, app: App, email: string, page: URL): Promise<void> {
  const user = await findByLogin(ctx.store, email)
  if (!user?.password_hash) return
  const token = newSecret()
  const now = Date.now()
  const link = new URL(page)
  link.username = link.password = ''
  link.hash = `${RESET_FRAGMENT}${token}`
  const id = newId('prs')
  await ctx.store.transaction(async (tx) => {
    await tx
      .insertInto('password_resets')
      .values({
        id,
        token_hash: sha256(token),
        user_id: user.id,
        app_id: app.id,
        created_at: now,
        expires_at: now + LINK_TTL_MS,
        used_at: null,
      })
      .execute()
    await queueEmail(tx, {
      userId: user.id,
      to: user.email ?? email,
      kind: 'password_reset',
      reference: id,
      appId: app.id,
      ...passwordReset({ link: link.href, minutes: LIMITS.passwordResetMinutes }),
    })
  })
  ctx.log.info({ userId: user.id, appId: app.id }, 'password reset link sent')
}

/**
 * Spends the token, sets the new password and revokes every sign-in of the user, in one transaction:
 * returns the user's id and the sign-ins (refresh-token families) it revoked.
 */
export async function resetPassword(
  ctx: Context,
  app: App,
  { token, password }: { token: string; password: string },
  ip: string,
): Promise<{ userId: string; familyIds: string[] }> {
  const hash = sha256(token)
  const reset = await ctx.store.db
    .selectFrom('password_resets')
    .select(['id', 'user_id', 'app_id', 'expires_at', 'used_at'])
    .where('token_hash', '=', hash)
    .executeTakeFirst()
  if (!reset || reset.used_at !== null || reset.expires_at <= Date.now()) throw badLink()
  if (reset.app_id !== app.id) throw forbidden('This reset link was made for another app')
  const passwordHash = await hashGate(ctx).run(ip, () => hashPassword(password, ctx.config.scryptCost))
  return ctx.store.transaction(async (tx) => {
    const now = Date.now()
    // The conditional update is the lock: of concurrent uses of one token, only one changes the row.
    const spent = await tx
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('id', '=', reset.id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst()
    if (spent.numUpdatedRows === 0n) throw badLink()
    const changed = await tx
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', reset.user_id)
      .where('password_hash', 'is not', null)
      .executeTakeFirst()
    if (changed.numUpdatedRows === 0n) throw badLink()
    // Other links of this user, asked for before, stop working too.
    await tx
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('user_id', '=', reset.user_id)
      .where('used_at', 'is', null)
      .execute()
    const families = await tx
      .updateTable('refresh_families')
      .set({ revoked_at: now, revoked_reason: 'password_reset' })
      .where('user_id', '=', reset.user_id)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute()
    return { userId: reset.user_id, familyIds: families.map((f) => f.id) }
  })
}

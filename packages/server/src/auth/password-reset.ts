import { LIMITS, PasswordResetConfirmRequest, PasswordResetRequest } from '@suportra/client/protocol'
import { Hono } from 'hono'
import { type App, allows } from '../apps/apps.js'
import { isServerOrigin } from '../apps/origins.js'
import type { Context } from '../context.js'
import { queueEmail } from '../email/outbox.js'
import { passwordReset, RESET_FRAGMENT } from '../email/templates.js'
import { DomainError, forbidden } from '../errors.js'
import { clientIp, type Env, readJson, requireApp } from '../http/request.js'
import { newId, newSecret, sha256 } from '../ids.js'
import { consume } from '../rate-limit.js'
import { findByLogin, findUser, toUser } from '../users/users.js'
import { hashGate } from './hash-gate.js'
import { identityOnly } from './methods.js'
import { hashPassword } from './passwords.js'

const LINK_TTL_MS = LIMITS.passwordResetMinutes * 60_000

const badLink = () =>
  new DomainError(
    'validation',
    'This password reset link is invalid, expired or already used: ask for a new one',
    {
      details: { reason: 'reset_link' },
    },
  )

/**
 * Password reset by email, mounted at `/v1/auth/password-reset`.
 *
 * `POST /` answers 202 at once, the same for every address: whether an account exists is looked up
 * after the answer has gone, so neither the answer nor its timing tells. For an account, a one-time
 * token (only its SHA-256 is stored) is emailed as `<url>#suportra-reset=<token>`, where `url` is the
 * page the request came from, on one of the app's allowed origins or the server's public origin (the
 * builder console; never an origin taken from `Host`): the widget there finishes the reset, and a
 * fragment never reaches a server or its logs.
 *
 * `POST /confirm` spends the token (exactly one of concurrent uses wins), sets the password, voids
 * the user's other links, revokes every other sign-in (their sockets close) and signs in here.
 */
export const passwordResetRoutes = new Hono<Env>()
  .post('/', async (c) => {
    const ctx = c.get('ctx')
    const app = await requireApp(c)
    await consume(ctx.limits.passwordResetsPerIp, clientIp(c), 'password reset requests')
    if (app.identityRequired) throw identityOnly()
    const input = await readJson(c, PasswordResetRequest)
    const page = new URL(input.url)
    // The server's own pages (the builder console) by its public origin, never by the Host header:
    // a client sending `Host: evil.example` must not get a genuine reset email linking to evil.example.
    if (!(allows(app, page.origin) || isServerOrigin(ctx.config, page.origin)))
      throw forbidden(
        `The reset link must open a page on one of the app's allowed origins, not ${page.origin}`,
      )
    await consume(ctx.limits.passwordResetsPerEmail, input.email, 'password reset requests for this email')
    // Not awaited: the answer must not wait for (nor reveal) what is found.
    sendResetLink(ctx, app, input.email, page).catch((error: unknown) =>
      ctx.log.error({ err: error, appId: app.id }, 'password reset email not queued'),
    )
    return c.json({ ok: true }, 202)
  })

  .post('/confirm', async (c) => {
    const ctx = c.get('ctx')
    const app = await requireApp(c)
    await consume(ctx.limits.passwordResetConfirms, clientIp(c), 'password reset attempts')
    if (app.identityRequired) throw identityOnly()
    const input = await readJson(c, PasswordResetConfirmRequest)
    const { userId, familyIds } = await resetPassword(ctx, app, input, clientIp(c))
    // Every sign-in from before the reset has ended (its tokens are refused): close its sockets (4003).
    if (familyIds.length > 0) ctx.bus.publish({ kind: 'revoke', userId, familyIds })
    const user = await findUser(ctx.store, userId)
    if (!user) throw badLink()
    ctx.log.info({ userId, appId: app.id }, 'password reset')
    return c.json({ user: toUser(user), ...(await ctx.tokens.signIn(user, app.id)) })
  })

async function sendResetLink(ctx: Context, app: App, email: string, page: URL): Promise<void> {
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
      ...passwordReset({ link: link.href, minutes: LIMITS.passwordResetMinutes }),
    })
  })
  ctx.log.info({ userId: user.id, appId: app.id }, 'password reset link sent')
}

/**
 * Spends the token, sets the new password and revokes every sign-in of the user, in one transaction:
 * returns the user's id and the sign-ins (refresh-token families) it revoked.
 */
async function resetPassword(
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

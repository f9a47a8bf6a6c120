import { PasswordResetConfirmRequest, PasswordResetRequest } from '@suportra/protocol'
import { Hono } from 'hono'
import { allows } from '../apps/apps.js'
import { isServerOrigin } from '../apps/origins.js'
import { forbidden } from '../errors.js'
import { clientIp, type Env, readJson, requireApp } from '../http/request.js'
import { consume } from '../rate-limit.js'
import { findUser, toUser } from '../users/users.js'
import { identityOnly } from './methods.js'
import { badLink, resetPassword, sendResetLink } from './password-reset.js'

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

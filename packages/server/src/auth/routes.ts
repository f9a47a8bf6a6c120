import {
  IdentifyRequest,
  RefreshRequest,
  SignInRequest,
  SignOutRequest,
  SignUpRequest,
} from '@suportra/protocol'
import { Hono } from 'hono'
import { type App, identitySecretsOf } from '../apps/apps.js'
import type { UserRow } from '../db/schema.js'
import { localeOf } from '../email/render.js'
import { DomainError, unauthorized } from '../errors.js'
import { type C, clientIp, type Env, readJson, requireApp, requireCaller } from '../http/request.js'
import { consume } from '../rate-limit.js'
import { createPasswordUser, findByLogin, findUser, toUser, upsertIdentifiedUser } from '../users/users.js'
import { hashGate } from './hash-gate.js'
import { verifyIdentityToken } from './identity.js'
import { identityOnly } from './methods.js'
import { checkPassword } from './password-check.js'
import { decoyHash, hashPassword } from './passwords.js'

async function respond(c: C, user: UserRow, appId: string, status: 200 | 201 = 200) {
  // Emails go out in the language the person's browser asks for (the widget's languages).
  const language = c.req.header('accept-language')
  const locale = language ? localeOf(language) : undefined
  if (locale && locale !== (user.locale ?? 'en'))
    await c.get('ctx').store.db.updateTable('users').set({ locale }).where('id', '=', user.id).execute()
  const tokens = await c.get('ctx').tokens.signIn(user, appId)
  return c.json({ user: toUser(user), ...tokens }, status)
}

/** Verifies with the current identity secret, then (during a rotation's overlap window) the previous one. */
async function verifyWithAnySecret(token: string, app: App) {
  const [current, previous] = identitySecretsOf(app)
  try {
    return await verifyIdentityToken(token, app.id, current as string)
  } catch (error) {
    if (!previous) throw error
    return verifyIdentityToken(token, app.id, previous)
  }
}

export const authRoutes = new Hono<Env>()
  .post('/sign-up', async (c) => {
    const ctx = c.get('ctx')
    const app = await requireApp(c)
    const ip = clientIp(c)
    await consume(ctx.limits.auth, ip, 'sign-in attempts')
    if (app.identityRequired) throw identityOnly()
    const input = await readJson(c, SignUpRequest)
    if (await findByLogin(ctx.store, input.email))
      throw new DomainError('conflict', 'An account with this email already exists')
    const passwordHash = await hashGate(ctx).run(ip, () =>
      hashPassword(input.password, ctx.config.scryptCost),
    )
    const user = await createPasswordUser(ctx.store, {
      name: input.name,
      email: input.email,
      passwordHash,
      ageConfirmedAt: Date.now(),
    })
    ctx.log.info({ userId: user.id, appId: app.id }, 'user signed up')
    return respond(c, user, app.id, 201)
  })

  .post('/sign-in', async (c) => {
    const ctx = c.get('ctx')
    const app = await requireApp(c)
    const ip = clientIp(c)
    await consume(ctx.limits.auth, ip, 'sign-in attempts')
    const input = await readJson(c, SignInRequest)
    const user = await findByLogin(ctx.store, input.email)
    // An unknown email (or an account without a password) is checked against the decoy all the
    // same: the answer costs one hash either way, so its timing does not tell which emails exist.
    const stored = user?.password_hash ?? (await decoyHash(ctx.config.scryptCost))
    const right = await checkPassword(ctx, ip, input.password, stored, [
      {
        limiter: ctx.limits.signInFailures,
        key: `${ip}|${input.email}`,
        what: 'failed sign-ins',
        clearOnSuccess: true,
      },
      {
        limiter: ctx.limits.signInFailuresPerEmail,
        key: input.email,
        what: 'failed sign-ins for this account',
        clearOnSuccess: false,
      },
    ])
    if (!user?.password_hash || !right) {
      ctx.log.info({ appId: app.id }, 'sign-in failed')
      throw unauthorized('Email or password is incorrect')
    }
    if (user.role === 'user' && app.identityRequired) throw identityOnly()
    if (user.deactivated_at !== null) throw unauthorized('This account was deactivated by the operator')
    ctx.log.info({ userId: user.id, appId: app.id }, 'user signed in')
    return respond(c, user, app.id)
  })

  .post('/identify', async (c) => {
    const ctx = c.get('ctx')
    const app = await requireApp(c)
    await consume(ctx.limits.auth, clientIp(c), 'sign-in attempts')
    const { token } = await readJson(c, IdentifyRequest)
    const claims = await verifyWithAnySecret(token, app)
    const user = await upsertIdentifiedUser(ctx.store, {
      appId: app.id,
      externalId: claims.sub,
      name: claims.name,
      email: claims.email,
    })
    ctx.log.info({ userId: user.id, appId: app.id }, 'user identified')
    return respond(c, user, app.id)
  })

  .post('/refresh', async (c) => {
    const ctx = c.get('ctx')
    await consume(ctx.limits.auth, clientIp(c), 'refresh attempts')
    const { refreshToken } = await readJson(c, RefreshRequest)
    const { userId, ...tokens } = await ctx.tokens.refresh(refreshToken)
    const user = await findUser(ctx.store, userId)
    if (!user) throw unauthorized('Account no longer exists')
    return c.json({ user: toUser(user), ...tokens })
  })

  .post('/sign-out', async (c) => {
    const ctx = c.get('ctx')
    const { refreshToken } = c.req.header('content-type') ? await readJson(c, SignOutRequest) : {}
    if (refreshToken) {
      await ctx.tokens.revokeByRefreshToken(refreshToken, 'sign_out')
    } else {
      const caller = await requireCaller(c)
      await ctx.tokens.revokeFamily(caller.familyId, 'sign_out')
    }
    return c.json({ ok: true })
  })

export const meRoutes = new Hono<Env>().get('/', async (c) => {
  const caller = await requireCaller(c)
  const user = await findUser(c.get('ctx').store, caller.userId)
  if (!user) throw unauthorized('Account no longer exists')
  return c.json({ user: toUser(user) })
})

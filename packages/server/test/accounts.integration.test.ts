import type { AuthResponse } from '@suportra/protocol'
import {
  api,
  createUser,
  DEMO,
  signIdentityToken,
  signIn,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { scryptRuns } from '../src/auth/passwords.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    rateLimits: {
      passwordResetsPerIp: { points: 1_000, duration: 60 },
      passwordResetsPerEmail: { points: 1_000, duration: 60 },
    },
  })
})
afterAll(() => server.close())

const db = () => server.current.context.store.db
let counter = 0
const fresh = (name: string) => `${name}-${Date.now().toString(36)}-${++counter}@example.com`

const signUp = (body: Record<string, unknown>) =>
  api(server.url, 'POST', '/v1/auth/sign-up', { app: DEMO.appId, body })
const update = (user: AuthResponse, body: Record<string, unknown>) =>
  api(server.url, 'POST', '/v1/account', { token: user.accessToken, body })

describe('GET /v1/auth/methods', () => {
  test('says whether the app has password accounts (an identity-only app has not)', async () => {
    const methods = (app: string, origin?: string) =>
      api(server.url, 'GET', '/v1/auth/methods', { app, ...(origin && { headers: { origin } }) })
    const demo = await methods(DEMO.appId)
    expect({ status: demo.status, body: demo.body }).toEqual({ status: 200, body: { password: true } })
    const identityOnly = await server.current.context.apps.create({
      name: 'Tokens only',
      allowedOrigins: ['https://ide.example'],
      identityRequired: true,
    })
    expect((await methods(identityOnly.id, 'https://ide.example')).body).toEqual({ password: false })
    expect((await methods(identityOnly.id, 'https://evil.example')).status).toBe(403)
    expect((await methods('app_nope')).status).toBe(404)
    expect((await api(server.url, 'GET', '/v1/auth/methods')).status).toBe(400)
  })
})

describe('sign-up asks for the 16+ confirmation (privacy policy, "Children")', () => {
  test('without it: 400 that says what is missing, and no account', async () => {
    const email = fresh('child')
    const result = await signUp({ name: 'Kid', email, password: 'long-enough' })
    expect(result.status).toBe(400)
    expect(result.body.error.code).toBe('validation')
    expect(result.body.error.message).toContain('ageConfirmed: Confirm that you are 16 or older')
    expect(await db().selectFrom('users').select('id').where('login_email', '=', email).execute()).toEqual([])
  })

  test('with it: the account records when it was given, and the export shows it', async () => {
    const before = Date.now()
    const result = await signUp({
      name: 'Adult',
      email: fresh('adult'),
      password: 'long-enough',
      ageConfirmed: true,
    })
    expect(result.status).toBe(201)
    const row = await db()
      .selectFrom('users')
      .selectAll()
      .where('id', '=', result.body.user.id)
      .executeTakeFirstOrThrow()
    expect(row.age_confirmed_at).toBeGreaterThanOrEqual(before)
    const exported = await api(server.url, 'GET', '/v1/account/export', { token: result.body.accessToken })
    expect(exported.body.user.ageConfirmedAt).toBe(row.age_confirmed_at)
  })
})

describe('changing the name and email', () => {
  test('the name: confirmed with the password, seen by /v1/me', async () => {
    const user = await createUser(server, { name: 'Old Name' })
    const result = await update(user, { name: '  New Name ', password: DEMO.user.password })
    expect(result.status).toBe(200)
    expect(result.body.user).toMatchObject({ id: user.user.id, name: 'New Name', email: user.user.email })
    const me = await api(server.url, 'GET', '/v1/me', { token: user.accessToken })
    expect(me.body.user.name).toBe('New Name')
  })

  test('the email: signs in with the new one only, the old address is told, and its reset links stop working', async () => {
    const user = await createUser(server)
    const old = user.user.email as string
    await api(server.url, 'POST', '/v1/auth/password-reset', {
      app: DEMO.appId,
      body: { email: old, url: 'http://localhost:5173/' },
    })
    await expect.poll(() => resetLinks(user.user.id)).toHaveLength(1)
    const email = fresh('moved')
    const result = await update(user, { email: email.toUpperCase(), password: DEMO.user.password })
    expect(result.status).toBe(200)
    expect(result.body.user.email).toBe(email)
    expect((await signIn(server.url, email)).user.id).toBe(user.user.id)
    const withOld = await api(server.url, 'POST', '/v1/auth/sign-in', {
      app: DEMO.appId,
      body: { email: old, password: DEMO.user.password },
    })
    expect(withOld.status).toBe(401)
    const told = await db()
      .selectFrom('emails')
      .selectAll()
      .where('to_address', '=', old)
      .where('kind', '=', 'email_changed')
      .execute()
    expect(told).toHaveLength(1)
    expect(told[0]?.body).toContain(email)
    expect((await resetLinks(user.user.id)).every((r) => r.used_at !== null)).toBe(true)
  })

  test('the same email in other case changes nothing and tells nobody', async () => {
    const user = await createUser(server)
    const email = user.user.email as string
    const result = await update(user, { email: email.toUpperCase(), password: DEMO.user.password })
    expect(result.status).toBe(200)
    expect(result.body.user.email).toBe(email)
    expect(
      await db()
        .selectFrom('emails')
        .select('id')
        .where('kind', '=', 'email_changed')
        .where('user_id', '=', user.user.id)
        .execute(),
    ).toEqual([])
  })

  test("another account's email: 409, and nothing changes", async () => {
    const user = await createUser(server, { name: 'Keeps Name' })
    const result = await update(user, {
      name: 'Changed',
      email: DEMO.user.email,
      password: DEMO.user.password,
    })
    expect(result.status).toBe(409)
    expect(result.body.error.message).toBe('An account with this email already exists')
    const me = await api(server.url, 'GET', '/v1/me', { token: user.accessToken })
    expect(me.body.user).toMatchObject({ name: 'Keeps Name', email: user.user.email })
  })

  test('two accounts taking one free email at once: one gets it, the other 409', async () => {
    const [a, b] = await Promise.all([createUser(server), createUser(server)])
    const email = fresh('contested')
    const results = await Promise.all(
      [a, b].map((user) => update(user as AuthResponse, { email, password: DEMO.user.password })),
    )
    expect(results.map((r) => r.status).sort()).toEqual([200, 409])
    expect(
      await db().selectFrom('users').select('id').where('login_email', '=', email).execute(),
    ).toHaveLength(1)
  })

  test('a vendor-managed account (identity token) is refused, and told where to change them', async () => {
    const token = await signIdentityToken({
      sub: 'vendor-user-7',
      name: 'Vera',
      email: 'vera@vendor.example',
    })
    const identified = (
      await api(server.url, 'POST', '/v1/auth/identify', { app: DEMO.appId, body: { token } })
    ).body as AuthResponse
    const result = await update(identified, { email: fresh('vera'), password: 'anything-at-all' })
    expect(result.status).toBe(403)
    expect(result.body.error.details.reason).toBe('managed')
    expect(result.body.error.message).toContain('managed by the app you signed in with')
  })

  test('10 wrong passwords lock changes for a while (429), even with the right one', async () => {
    const user = await createUser(server)
    for (let i = 0; i < 10; i++) {
      const wrong = await update(user, { name: 'Mallory', password: `wrong-password-${i}` })
      expect(wrong.status).toBe(403)
      expect(wrong.body.error.details.reason).toBe('password')
    }
    const locked = await update(user, { name: 'Mallory', password: DEMO.user.password })
    expect(locked.status).toBe(429)
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/)
    const me = await api(server.url, 'GET', '/v1/me', { token: user.accessToken })
    expect(me.body.user.name).toBe('Test User')
  })

  test('changes with the right password are limited too (20 an hour per user): each costs a password hash', async () => {
    const user = await createUser(server)
    const limit = server.current.context.config.rateLimits.accountUpdates.points
    for (let i = 0; i < limit; i++) {
      const result = await update(user, { name: `Name ${i}`, password: DEMO.user.password })
      expect(result.status).toBe(200)
    }
    const before = scryptRuns()
    const refused = await update(user, { name: 'One too many', password: DEMO.user.password })
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('rate_limited')
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    // Refused before the hash.
    expect(scryptRuns()).toBe(before)
    // Another user is not touched by it.
    const other = await createUser(server)
    expect((await update(other, { name: 'Still fine', password: DEMO.user.password })).status).toBe(200)
  })

  test('needs a sign-in', async () => {
    const result = await api(server.url, 'POST', '/v1/account', { body: { name: 'X', password: 'x' } })
    expect(result.status).toBe(401)
  })
})

const resetLinks = (userId: string) =>
  db().selectFrom('password_resets').selectAll().where('user_id', '=', userId).execute()

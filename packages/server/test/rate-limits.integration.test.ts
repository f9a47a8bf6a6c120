import {
  type ApiResult,
  api,
  DEMO,
  grantCredits,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// Small limits, and `trustProxy` so each test speaks from its own address (X-Forwarded-For) and
// the per-address counters of one test do not spill into another.
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    trustProxy: true,
    rateLimits: {
      auth: { points: 5, duration: 60 },
      signInFailures: { points: 2, duration: 900 },
      send: { points: 3, duration: 60 },
      auditsPerIp: { points: 3, duration: 3600 },
      auditsPerEmail: { points: 2, duration: 3600 },
    },
  })
})
afterAll(() => server.close())

const from = (ip: string) => ({ 'x-forwarded-for': ip })
let counter = 0
const unique = (name: string) => `${name}-${++counter}-${Date.now()}@example.com`

function expectRateLimited(result: ApiResult) {
  expect({ status: result.status, code: result.body.error?.code }).toEqual({
    status: 429,
    code: 'rate_limited',
  })
  const retryAfter = Number(result.headers.get('retry-after'))
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(result.body.error.details).toEqual({ retryAfter })
}

async function counts() {
  const { db } = server.current.context.store
  const n = async (table: 'audits' | 'emails' | 'messages' | 'users' | 'refresh_families') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  return {
    audits: await n('audits'),
    emails: await n('emails'),
    messages: await n('messages'),
    users: await n('users'),
    families: await n('refresh_families'),
  }
}

const audit = (ip: string, email: string) =>
  api(server.url, 'POST', '/v1/audits', {
    headers: from(ip),
    body: { email, building: 'A shop', tools: ['bolt'], blockers: 'Payments' },
  })

describe('stack audits', () => {
  test('per address: the fourth audit from one address is refused and stores nothing', async () => {
    for (let i = 0; i < 3; i++) expect((await audit('10.0.0.1', unique('ip'))).status).toBe(201)
    const before = await counts()
    expectRateLimited(await audit('10.0.0.1', unique('ip')))
    expect(await counts()).toEqual(before)
    expect((await audit('10.0.0.2', unique('ip'))).status).toBe(201) // another address is not held up
  })

  test('per email: the third audit for one email is refused, from any address and in any case', async () => {
    const email = unique('same')
    expect((await audit('10.0.1.1', email)).status).toBe(201)
    expect((await audit('10.0.1.2', email)).status).toBe(201)
    const before = await counts()
    expectRateLimited(await audit('10.0.1.3', email))
    expectRateLimited(await audit('10.0.1.4', email.toUpperCase()))
    expect(await counts()).toEqual(before)
    expect((await audit('10.0.1.5', unique('other'))).status).toBe(201)
  })
})

describe('sending', () => {
  async function session(ip: string) {
    const up = await api(server.url, 'POST', '/v1/auth/sign-up', {
      app: DEMO.appId,
      headers: from(ip),
      body: { name: 'Sender', email: unique('sender'), password: DEMO.user.password, ageConfirmed: true },
    })
    expect(up.status).toBe(201)
    await grantCredits(server, up.body.user.id, 1)
    const token: string = up.body.accessToken
    const started = await api(server.url, 'POST', '/v1/sessions', {
      token,
      body: { tool: 'cursor', topic: 'Limits' },
    })
    expect(started.status).toBe(201)
    const send = (id: string) =>
      api(server.url, 'POST', `/v1/sessions/${started.body.session.id}/messages`, {
        token,
        body: { id, text: id },
      })
    return { send }
  }

  test('new messages over the limit are refused and not stored', async () => {
    const { send } = await session('10.0.2.1')
    for (let i = 0; i < 3; i++) expect((await send(`limit-a-${i}-xyz`)).status).toBe(201)
    const before = await counts()
    expectRateLimited(await send('limit-a-3-xyz'))
    expect(await counts()).toEqual(before)
  })

  test('retries of a stored message cost nothing: a retry storm does not lock the user out', async () => {
    const { send } = await session('10.0.2.2')
    const first = await send('storm-0-abcdef')
    expect(first.status).toBe(201)
    // The outbox resends everything unacknowledged after each reconnect.
    for (let i = 0; i < 20; i++) {
      const retry = await send('storm-0-abcdef')
      expect({ status: retry.status, id: retry.body.message?.id, seq: retry.body.message?.seq }).toEqual({
        status: 200,
        id: first.body.message.id,
        seq: first.body.message.seq,
      })
    }
    // Two new messages still fit in the limit of 3; the third new one does not.
    expect((await send('storm-1-abcdef')).status).toBe(201)
    expect((await send('storm-2-abcdef')).status).toBe(201)
    expectRateLimited(await send('storm-3-abcdef'))
    // Even once the limit is reached, a retry of a stored message is answered.
    expect((await send('storm-2-abcdef')).status).toBe(200)
  })
})

describe('signing in', () => {
  const signIn = (ip: string, email: string, password: string) =>
    api(server.url, 'POST', '/v1/auth/sign-in', {
      app: DEMO.appId,
      headers: from(ip),
      body: { email, password },
    })

  test('per address: sign-in, sign-up, identify and refresh share one budget', async () => {
    const ip = '10.0.3.1'
    const results = []
    for (let i = 0; i < 5; i++) results.push((await signIn(ip, DEMO.user.email, DEMO.user.password)).status)
    expect(results).toEqual([200, 200, 200, 200, 200])
    const before = await counts()
    expectRateLimited(await signIn(ip, DEMO.user.email, DEMO.user.password))
    expectRateLimited(
      await api(server.url, 'POST', '/v1/auth/sign-up', {
        app: DEMO.appId,
        headers: from(ip),
        body: { name: 'Late', email: unique('late'), password: DEMO.user.password, ageConfirmed: true },
      }),
    )
    expectRateLimited(
      await api(server.url, 'POST', '/v1/auth/identify', {
        app: DEMO.appId,
        headers: from(ip),
        body: { token: 'x' },
      }),
    )
    expectRateLimited(
      await api(server.url, 'POST', '/v1/auth/refresh', { headers: from(ip), body: { refreshToken: 'x' } }),
    )
    expect(await counts()).toEqual(before) // no user, no sign-in
    expect((await signIn('10.0.3.2', DEMO.user.email, DEMO.user.password)).status).toBe(200)
  })

  test('failed sign-ins: after two, the right password is refused too, for that address and email', async () => {
    const ip = '10.0.4.1'
    expect((await signIn(ip, DEMO.user.email, 'wrong-password-1')).status).toBe(401)
    expect((await signIn(ip, DEMO.user.email, 'wrong-password-2')).status).toBe(401)
    const before = await counts()
    expectRateLimited(await signIn(ip, DEMO.user.email, DEMO.user.password))
    expectRateLimited(await signIn(ip, DEMO.user.email.toUpperCase(), DEMO.user.password))
    expect(await counts()).toEqual(before)
    // Another account from the same address, and the same account from elsewhere, are not locked.
    expect((await signIn(ip, DEMO.builder.email, DEMO.builder.password)).status).toBe(200)
    expect((await signIn('10.0.4.2', DEMO.user.email, DEMO.user.password)).status).toBe(200)
  })

  test('a successful sign-in clears the failures', async () => {
    const ip = '10.0.5.1'
    expect((await signIn(ip, DEMO.user.email, 'wrong-password-1')).status).toBe(401)
    expect((await signIn(ip, DEMO.user.email, DEMO.user.password)).status).toBe(200)
    expect((await signIn(ip, DEMO.user.email, 'wrong-password-2')).status).toBe(401)
    expect((await signIn(ip, DEMO.user.email, DEMO.user.password)).status).toBe(200)
  })
})

import { api, createUser, DEMO, signIn, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addBuilder } from '../src/admin/commands.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ rateLimits: { send: { points: 10_000, duration: 60 } } })
})
afterAll(() => server.close())

async function start(token: string, topic = 'Build fails after upgrade') {
  return api(server.url, 'POST', '/v1/sessions', { token, body: { tool: 'cursor', topic } })
}

async function ledgerSum(userId: string) {
  const rows = await server.current.context.store.db
    .selectFrom('ledger')
    .selectAll()
    .where('user_id', '=', userId)
    .execute()
  return { rows, sum: rows.reduce((total, row) => total + row.amount, 0) }
}

describe('claims', () => {
  test('100 concurrent claims of one session: exactly one builder wins', async () => {
    const user = await createUser(server, { credits: 1 })
    const session = (await start(user.accessToken)).body.session
    const builders = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const email = `claimer-${i}@example.com`
        await addBuilder(server.current.context, {
          name: `Claimer ${i}`,
          email,
          password: 'builder-password',
          tools: [],
        })
        return signIn(server.url, email, 'builder-password')
      }),
    )
    const attempts = Array.from({ length: 100 }, (_, i) => builders[i % builders.length])
    const results = await Promise.all(
      attempts.map((b) =>
        api(server.url, 'POST', `/v1/builder/sessions/${session.id}/claim`, { token: b?.accessToken }),
      ),
    )
    const winners = results.filter((r) => r.status === 200)
    expect(winners).toHaveLength(1)
    expect(results.filter((r) => r.status === 409)).toHaveLength(99)
    const stored = await api(server.url, 'GET', `/v1/sessions/${session.id}`, { token: user.accessToken })
    expect(stored.body.session.builder.id).toBe(winners[0]?.body.session.builder.id)
    // The hold was captured exactly once.
    const { rows, sum } = await ledgerSum(user.user.id)
    expect(rows.filter((r) => r.kind === 'capture')).toHaveLength(1)
    expect(sum).toBe(0)
  })
})

describe('holds', () => {
  test.each([0, 1, 3, 7])(
    'concurrent starts against a balance of %i: exactly that many holds',
    async (credits) => {
      const user = await createUser(server, { credits })
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => start(user.accessToken, `Topic ${i}`)),
      )
      expect(results.filter((r) => r.status === 201)).toHaveLength(credits)
      const refused = results.filter((r) => r.status !== 201)
      expect(refused.every((r) => r.status === 402 && r.body.error.code === 'insufficient_credits')).toBe(
        true,
      )
      const { rows, sum } = await ledgerSum(user.user.id)
      expect(rows.filter((r) => r.kind === 'hold')).toHaveLength(credits)
      expect(sum).toBe(0)
      expect((await api(server.url, 'GET', '/v1/credits', { token: user.accessToken })).body.balance).toBe(0)
    },
  )

  test('a start retried with one Idempotency-Key creates one session and one hold', async () => {
    const user = await createUser(server, { credits: 2 })
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        api(server.url, 'POST', '/v1/sessions', {
          token: user.accessToken,
          headers: { 'idempotency-key': 'start-once-123' },
          body: { tool: 'v0', topic: 'Deploy is stuck' },
        }),
      ),
    )
    const ids = new Set(results.map((r) => r.body.session.id))
    expect(ids.size).toBe(1)
    expect(results.filter((r) => r.status === 201)).toHaveLength(1)
    expect((await ledgerSum(user.user.id)).sum).toBe(1)
  })

  test('cancel releases the hold once, even when repeated concurrently', async () => {
    const user = await createUser(server, { credits: 1 })
    const session = (await start(user.accessToken)).body.session
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        api(server.url, 'POST', `/v1/sessions/${session.id}/cancel`, { token: user.accessToken }),
      ),
    )
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    expect(results.filter((r) => r.status === 409)).toHaveLength(9)
    const { rows, sum } = await ledgerSum(user.user.id)
    expect(rows.map((r) => r.kind).sort()).toEqual(['grant', 'hold', 'release'])
    expect(sum).toBe(1)
  })

  test('cancel racing claim: one of them wins and the hold resolves once', async () => {
    for (let round = 0; round < 10; round++) {
      const user = await createUser(server, { credits: 1 })
      const grace = await signIn(server.url, DEMO.builder.email)
      const session = (await start(user.accessToken)).body.session
      const [cancel, claim] = await Promise.all([
        api(server.url, 'POST', `/v1/sessions/${session.id}/cancel`, { token: user.accessToken }),
        api(server.url, 'POST', `/v1/builder/sessions/${session.id}/claim`, { token: grace.accessToken }),
      ])
      expect([cancel.status, claim.status].sort()).toEqual([200, 409])
      const { rows, sum } = await ledgerSum(user.user.id)
      expect(rows.filter((r) => r.kind === 'capture' || r.kind === 'release')).toHaveLength(1)
      expect(sum).toBe(cancel.status === 200 ? 1 : 0)
    }
  })
})

describe('messages', () => {
  test('a send retried 20 times (concurrently and after) stores one message with one { id, seq }', async () => {
    const user = await createUser(server, { credits: 1 })
    const session = (await start(user.accessToken)).body.session
    const send = () =>
      api(server.url, 'POST', `/v1/sessions/${session.id}/messages`, {
        token: user.accessToken,
        body: { id: 'client-msg-0001', text: 'Here is my stack trace' },
      })
    const first = await Promise.all(Array.from({ length: 10 }, send))
    const later = []
    for (let i = 0; i < 10; i++) later.push(await send())
    const all = [...first, ...later]
    expect(all.filter((r) => r.status === 201)).toHaveLength(1)
    expect(all.every((r) => r.status === 201 || r.status === 200)).toBe(true)
    const pairs = new Set(all.map((r) => `${r.body.message.id}:${r.body.message.seq}`))
    expect(pairs.size).toBe(1)
    const history = await api(server.url, 'GET', `/v1/sessions/${session.id}/messages`, {
      token: user.accessToken,
    })
    expect(
      history.body.messages.filter((m: { clientId: string }) => m.clientId === 'client-msg-0001'),
    ).toHaveLength(1)
  })

  test('concurrent sends from both sides get gap-free seq', async () => {
    const user = await createUser(server, { credits: 1 })
    const grace = await signIn(server.url, DEMO.builder.email)
    const session = (await start(user.accessToken)).body.session
    await api(server.url, 'POST', `/v1/builder/sessions/${session.id}/claim`, { token: grace.accessToken })
    const sends = Array.from({ length: 100 }, (_, i) =>
      api(server.url, 'POST', `/v1/sessions/${session.id}/messages`, {
        token: i % 2 ? user.accessToken : grace.accessToken,
        body: { id: `concurrent-${i}`, text: `message ${i}` },
      }),
    )
    expect((await Promise.all(sends)).every((r) => r.status === 201)).toBe(true)
    const history = await api(server.url, 'GET', `/v1/sessions/${session.id}/messages?limit=200`, {
      token: user.accessToken,
    })
    const seqs = history.body.messages.map((m: { seq: number }) => m.seq)
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
    expect(seqs).toHaveLength(102) // started + claimed events + 100 messages
  })
})

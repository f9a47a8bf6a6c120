import {
  api,
  chargeObject,
  checkoutSessionObject,
  createUser,
  deliverStripeWebhook,
  disputeObject,
  signStripePayload,
  startTestServer,
  stripeEventPayload,
  type TestServer,
  testDialect,
} from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'

// A refund or dispute arriving while the user starts sessions. The reversal takes back the pack's
// credits; the holds of sessions started just before or during it must not hand refunded credits
// back when those sessions are cancelled. Most telling on PostgreSQL, where writers run in parallel
// (`node scripts/with-postgres.mjs -- vitest run --project server test/refund-race`).

const SECRET = 'whsec_refund_race'
const ORIGIN = 'http://localhost:5173'
const ROUNDS = 6
/** At most this many starts per round. */
const MAX_STARTS = 300

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    stripe: { webhookSecret: SECRET },
    rateLimits: { send: { points: 100_000, duration: 60 }, auth: { points: 100_000, duration: 60 } },
  })
})
afterAll(() => server.close())

function deliver(type: string, object: Record<string, unknown>) {
  const payload = stripeEventPayload(type, object)
  return deliverStripeWebhook(server.url, payload, signStripePayload(payload, SECRET))
}

async function ledgerOf(userId: string) {
  return server.current.context.store.db
    .selectFrom('ledger')
    .select(['kind', 'amount', 'idempotency_key'])
    .where('user_id', '=', userId)
    .execute()
}

test(`${ROUNDS} rounds of a 25-credit refund or dispute racing eight clients starting sessions: balance = ledger, nothing negative, no refunded credit recoverable by cancelling (${testDialect()})`, async () => {
  const kept: string[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const user = await createUser(server)
    const token = user.accessToken
    const checkout = await api(server.url, 'POST', '/v1/credits/checkout', {
      token,
      body: { packId: 'pack_25', successUrl: `${ORIGIN}/ok`, cancelUrl: `${ORIGIN}/no` },
    })
    expect(checkout.status).toBe(200)
    const purchaseId = String(checkout.body.url).match(/pur_[\w-]+/)?.[0] ?? ''
    const paymentIntent = `pi_race_${round}_${Date.now().toString(36)}`
    const pack = await deliver(
      'checkout.session.completed',
      checkoutSessionObject({ purchaseId, paymentIntent, amount: 19_900 }),
    )
    expect(pack.status).toBe(200)
    const start = (i: number) =>
      api(server.url, 'POST', '/v1/sessions', {
        token,
        body: { tool: 'cursor', topic: `Race ${round}.${i}` },
      })
    // A few sessions already waiting, then the reversal and a burst of starts at the same moment.
    for (let i = 0; i < 3; i++) expect((await start(i)).status).toBe(201)
    const reversal =
      round % 2 === 0
        ? deliver('charge.refunded', chargeObject({ paymentIntent, amount: 19_900, amountRefunded: 19_900 }))
        : deliver('charge.dispute.created', disputeObject({ paymentIntent, amount: 19_900 }))
    // Eight clients keep starting sessions until the reversal is answered: every moment of it races
    // a start (most are refused for want of credits, which is fine).
    let answered = false
    let n = 3
    const starter = async () => {
      const statuses: number[] = []
      while (!answered && n < 3 + MAX_STARTS) statuses.push((await start(n++)).status)
      return statuses
    }
    const [reversed, ...starts] = await Promise.all([
      reversal.finally(() => {
        answered = true
      }),
      ...Array.from({ length: 8 }, starter),
    ])
    expect(reversed.status).toBe(200)
    for (const status of starts.flat()) expect([201, 402]).toContain(status)
    // The user cancels everything still waiting: every hold comes back, and nothing more.
    const list = await api(server.url, 'GET', '/v1/sessions', { token })
    for (const session of list.body.sessions.filter((s: { status: string }) => s.status === 'waiting')) {
      const cancelled = await api(server.url, 'POST', `/v1/sessions/${session.id}/cancel`, { token })
      expect([200, 409]).toContain(cancelled.status)
    }
    const rows = await ledgerOf(user.user.id)
    const sum = rows.reduce((total, row) => total + row.amount, 0)
    const shown = (await api(server.url, 'GET', '/v1/credits', { token })).body.balance
    expect(shown).toBe(sum)
    expect(sum).toBeGreaterThanOrEqual(0)
    expect(rows.filter((row) => row.kind === 'reversal')).toHaveLength(1)
    // All 25 credits came from the refunded pack and no builder took a session: nothing is left.
    if (sum !== 0) kept.push(`round ${round}: ${sum} refunded credits recovered by cancelling`)
  }
  expect(kept).toEqual([])
})

import type { AuthResponse } from '@suportra/protocol'
import {
  api,
  chargeObject,
  checkoutSessionObject,
  createUser,
  DEMO,
  deliverStripeWebhook,
  disputeObject,
  type FakeStripe,
  openSocket,
  signIn,
  signStripePayload,
  startFakeStripe,
  startTestServer,
  stripeEventPayload,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const SECRET = 'whsec_billing_test_secret'
const ORIGIN = 'http://localhost:5173'
const SUCCESS = `${ORIGIN}/billing/done?tab=credits`
const CANCEL = `${ORIGIN}/billing/cancelled`

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ stripe: { webhookSecret: SECRET } })
})
afterAll(() => server.close())

const db = () => server.current.context.store.db
let piCount = 0
const newPaymentIntent = () => `pi_test_${Date.now().toString(36)}_${++piCount}`

function checkout(token: string, body: Record<string, unknown> = {}, on: TestServer = server) {
  return api(on.url, 'POST', '/v1/credits/checkout', {
    token,
    body: { packId: 'pack_3', successUrl: SUCCESS, cancelUrl: CANCEL, ...body },
  })
}

/** Starts a dev checkout for `packId` and returns the pending purchase's id (from the DB, newest). */
async function startPurchase(user: AuthResponse, packId = 'pack_3') {
  const result = await checkout(user.accessToken, { packId })
  expect(result.status).toBe(200)
  const purchase = await db()
    .selectFrom('purchases')
    .selectAll()
    .where('user_id', '=', user.user.id)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow()
  expect(result.body.url).toContain(purchase.id)
  return { purchase, url: result.body.url as string }
}

async function balance(user: AuthResponse): Promise<number> {
  const result = await api(server.url, 'GET', '/v1/credits', { token: user.accessToken })
  expect(result.status).toBe(200)
  return result.body.balance
}

async function ledger(userId: string) {
  return db().selectFrom('ledger').selectAll().where('user_id', '=', userId).orderBy('created_at').execute()
}

async function purchaseRow(id: string) {
  return db().selectFrom('purchases').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

async function receipts(userId: string) {
  return db()
    .selectFrom('emails')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', 'receipt')
    .execute()
}

/** Signs and delivers one event (a fresh event id unless `id` is given). */
function deliver(
  type: string,
  object: Record<string, unknown>,
  options: { id?: string; secret?: string } = {},
) {
  const payload = stripeEventPayload(type, object, options.id)
  return deliverStripeWebhook(server.url, payload, signStripePayload(payload, options.secret ?? SECRET))
}

const paid = (purchaseId: string, paymentIntent: string, extra: { id?: string } = {}) =>
  deliver('checkout.session.completed', checkoutSessionObject({ purchaseId, paymentIntent }), extra)
const refunded = (paymentIntent: string, amountRefunded = 2900) =>
  deliver('charge.refunded', chargeObject({ paymentIntent, amount: 2900, amountRefunded }))

/** Starts `n` sessions and has grace claim each (the credits are spent). */
async function spend(user: AuthResponse, n: number, claim = true) {
  const grace = await signIn(server.url, DEMO.builder.email)
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const started = await api(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'cursor', topic: `Spend ${i}` },
    })
    expect(started.status).toBe(201)
    ids.push(started.body.session.id)
    if (claim) {
      const claimed = await api(server.url, 'POST', `/v1/builder/sessions/${started.body.session.id}/claim`, {
        token: grace.accessToken,
      })
      expect(claimed.status).toBe(200)
    }
  }
  return ids
}

describe('packs', () => {
  test('GET /v1/credits/packs lists the default packs (3, 10, 25 credits), the costs and the warning level', async () => {
    const result = await api(server.url, 'GET', '/v1/credits/packs')
    expect(result.status).toBe(200)
    expect(result.body.packs.map((p: { id: string; credits: number }) => [p.id, p.credits])).toEqual([
      ['pack_3', 3],
      ['pack_10', 10],
      ['pack_25', 25],
    ])
    for (const pack of result.body.packs) {
      expect(pack.price).toBeGreaterThan(0)
      expect(pack.currency).toBe('usd')
      expect(typeof pack.name).toBe('string')
    }
    expect(result.body.costs).toEqual({ conversation: 1, video: 1 })
    expect(result.body.lowBalance).toBe(1)
  })

  test('packs are server configuration: a configured list replaces the defaults, for listing and for checkout', async () => {
    const custom = await startTestServer({
      packs: [{ id: 'team_50', name: '50 conversations', credits: 50, price: 35_000, currency: 'eur' }],
    })
    try {
      const packs = await api(custom.url, 'GET', '/v1/credits/packs')
      expect(packs.body.packs).toEqual([
        { id: 'team_50', name: '50 conversations', credits: 50, price: 35_000, currency: 'eur' },
      ])
      const user = await createUser(custom)
      expect((await checkout(user.accessToken, { packId: 'pack_3' }, custom)).status).toBe(400)
      const ok = await checkout(user.accessToken, { packId: 'team_50' }, custom)
      expect(ok.status).toBe(200)
      const row = await custom.current.context.store.db
        .selectFrom('purchases')
        .selectAll()
        .where('user_id', '=', user.user.id)
        .executeTakeFirstOrThrow()
      expect(row).toMatchObject({ pack_id: 'team_50', credits: 50, amount: 35_000, currency: 'eur' })
    } finally {
      await custom.close()
    }
  })
})

describe('checkout', () => {
  test('an unknown pack is refused with 400 and records nothing', async () => {
    const user = await createUser(server)
    const result = await checkout(user.accessToken, { packId: 'pack_1000' })
    expect(result.status).toBe(400)
    expect(result.body.error.code).toBe('validation')
    expect(result.body.error.message).toContain('pack_1000')
    expect(
      await db().selectFrom('purchases').selectAll().where('user_id', '=', user.user.id).execute(),
    ).toEqual([])
  })

  test('checkout needs a signed-in user', async () => {
    const result = await api(server.url, 'POST', '/v1/credits/checkout', {
      body: { packId: 'pack_3', successUrl: SUCCESS, cancelUrl: CANCEL },
    })
    expect(result.status).toBe(401)
  })

  test.each([
    ['a success URL on another site', { successUrl: 'https://evil.example/thanks' }],
    ['a cancel URL on another site', { cancelUrl: 'https://evil.example/cancel' }],
    [
      'a look-alike host with the allowed host as user info',
      { successUrl: 'http://localhost:5173@evil.example/' },
    ],
    ['an allowed host name on https instead of http', { successUrl: 'https://localhost:5173/done' }],
    ['a javascript: URL', { cancelUrl: 'javascript:alert(document.domain)' }],
  ])('%s is refused with 403 (return URLs must be on the app’s allowed origins)', async (_, urls) => {
    const user = await createUser(server)
    const result = await checkout(user.accessToken, urls)
    expect([400, 403]).toContain(result.status)
    if (!String(Object.values(urls)[0]).startsWith('javascript:')) expect(result.status).toBe(403)
    expect(
      await db().selectFrom('purchases').selectAll().where('user_id', '=', user.user.id).execute(),
    ).toEqual([])
  })

  test('without a Stripe key the URL is the server’s test checkout; the purchase is pending and no credit moves', async () => {
    const user = await createUser(server, { credits: 2 })
    const result = await checkout(user.accessToken, { packId: 'pack_10' })
    expect(result.status).toBe(200)
    const url = new URL(result.body.url)
    expect(url.origin).toBe(server.url)
    expect(url.pathname).toMatch(/^\/dev\/checkout\/pur_[\w-]+$/)
    expect(url.searchParams.get('success')).toBe(SUCCESS)
    expect(url.searchParams.get('cancel')).toBe(CANCEL)
    const purchase = await purchaseRow(url.pathname.split('/').pop() ?? '')
    expect(purchase).toMatchObject({
      user_id: user.user.id,
      pack_id: 'pack_10',
      credits: 10,
      amount: 8_900,
      currency: 'usd',
      status: 'pending',
      paid_at: null,
    })
    expect(await balance(user)).toBe(2)
  })

  describe('with a Stripe key (fake Stripe API)', () => {
    let fake: FakeStripe
    let stripeServer: TestServer
    beforeAll(async () => {
      fake = await startFakeStripe()
      stripeServer = await startTestServer({
        stripe: { secretKey: 'sk_test_fake_123', webhookSecret: SECRET, apiUrl: fake.url },
      })
    })
    afterAll(async () => {
      await stripeServer.close()
      await fake.close()
    })

    test('checkout creates a Stripe Checkout Session and returns its URL; the purchase is pending', async () => {
      const user = await createUser(stripeServer, { name: 'Stripe Buyer' })
      const before = fake.checkouts().length
      const result = await checkout(user.accessToken, { packId: 'pack_10' }, stripeServer)
      expect(result.status).toBe(200)
      const created = fake.checkouts().slice(before)
      expect(created).toHaveLength(1)
      const { request, form } = created[0] as (typeof created)[number]
      expect(result.body.url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_fake\d+$/)
      const purchase = await stripeServer.current.context.store.db
        .selectFrom('purchases')
        .selectAll()
        .where('user_id', '=', user.user.id)
        .executeTakeFirstOrThrow()
      expect(purchase).toMatchObject({ status: 'pending', pack_id: 'pack_10', credits: 10, amount: 8_900 })
      expect(purchase.checkout_id).toBe(result.body.url.split('/').pop())

      // What Stripe was asked for.
      expect(request.headers.authorization).toBe('Bearer sk_test_fake_123')
      expect(request.headers['content-type']).toContain('application/x-www-form-urlencoded')
      expect(form.get('mode')).toBe('payment')
      expect(form.get('line_items[0][quantity]')).toBe('1')
      expect(form.get('line_items[0][price_data][currency]')).toBe('usd')
      expect(form.get('line_items[0][price_data][unit_amount]')).toBe('8900')
      expect(form.get('line_items[0][price_data][product_data][name]')).toContain('10 conversations')
      expect(form.get('client_reference_id')).toBe(purchase.id)
      expect(form.get('success_url')).toBe(SUCCESS)
      expect(form.get('cancel_url')).toBe(CANCEL)
      expect(form.get('customer_email')).toBe(user.user.email)
      // No credit moves before the webhook.
      const credits = await api(stripeServer.url, 'GET', '/v1/credits', { token: user.accessToken })
      expect(credits.body.balance).toBe(0)
    })

    test('only the Checkout Session created for the purchase pays for it', async () => {
      const user = await createUser(stripeServer)
      const result = await checkout(user.accessToken, { packId: 'pack_10' }, stripeServer)
      const checkoutId = result.body.url.split('/').pop() as string
      const { id } = await stripeServer.current.context.store.db
        .selectFrom('purchases')
        .select('id')
        .where('user_id', '=', user.user.id)
        .executeTakeFirstOrThrow()
      const object = checkoutSessionObject({
        purchaseId: id,
        paymentIntent: newPaymentIntent(),
        amount: 8_900,
      })
      const deliverTo = (session: Record<string, unknown>) => {
        const payload = stripeEventPayload('checkout.session.completed', session)
        return deliverStripeWebhook(stripeServer.url, payload, signStripePayload(payload, SECRET))
      }
      const credits = async () =>
        (await api(stripeServer.url, 'GET', '/v1/credits', { token: user.accessToken })).body.balance

      // Another session of the same Stripe account (a Payment Link, a second checkout) with the right metadata.
      expect((await deliverTo({ ...object, id: 'cs_test_other' })).status).toBe(200)
      expect(await credits()).toBe(0)
      expect((await deliverTo({ ...object, id: checkoutId })).status).toBe(200)
      expect(await credits()).toBe(10)
    })

    test('when Stripe fails, checkout answers with an error and leaves no purchase behind', async () => {
      const user = await createUser(stripeServer)
      fake.status = 500
      try {
        const result = await checkout(user.accessToken, {}, stripeServer)
        expect(result.status).toBeGreaterThanOrEqual(500)
        expect(result.body.error.code).toBe('server')
      } finally {
        fake.status = 200
      }
      const rows = await stripeServer.current.context.store.db
        .selectFrom('purchases')
        .selectAll()
        .where('user_id', '=', user.user.id)
        .execute()
      expect(rows).toEqual([])
    })
  })

  test('with a Stripe key but no webhook secret, a webhook signed with the public development secret grants nothing', async () => {
    // An operator sets STRIPE_SECRET_KEY and forgets STRIPE_WEBHOOK_SECRET. The development secret is
    // in the source code, so anyone could sign "payments" with it: either the server refuses to start,
    // or it refuses such webhooks.
    const fake = await startFakeStripe()
    let live: TestServer | undefined
    try {
      try {
        live = await startTestServer({
          stripe: { secretKey: 'sk_live_forgot_webhook_secret', apiUrl: fake.url },
        })
      } catch {
        return // refusing to start is a correct answer
      }
      const user = await createUser(live)
      expect((await checkout(user.accessToken, {}, live)).status).toBe(200)
      // The attacker reads their own pending purchase id from their data export.
      const exported = await api(live.url, 'GET', '/v1/account/export', { token: user.accessToken })
      const purchaseId: string = exported.body.purchases[0].id
      const payload = stripeEventPayload(
        'checkout.session.completed',
        checkoutSessionObject({ purchaseId, paymentIntent: 'pi_forged' }),
      )
      const result = await deliverStripeWebhook(
        live.url,
        payload,
        signStripePayload(payload, 'whsec_suportra_development'),
      )
      expect(result.status).toBeGreaterThanOrEqual(400)
      const credits = await api(live.url, 'GET', '/v1/credits', { token: user.accessToken })
      expect(credits.body.balance).toBe(0)
    } finally {
      await live?.close()
      await fake.close()
    }
  })
})

describe('webhooks', () => {
  test('a verified checkout.session.completed grants the pack once, queues a receipt and tells the user’s open clients', async () => {
    const user = await createUser(server, { credits: 1 })
    const { purchase } = await startPurchase(user)
    const tabs = [
      await openSocket(server.url, user.accessToken),
      await openSocket(server.url, user.accessToken),
    ]
    const pi = newPaymentIntent()
    const result = await paid(purchase.id, pi)
    expect(result).toEqual({ status: 200, body: { received: true, duplicate: false } })

    for (const tab of tabs) {
      expect(await tab.next((e) => e.type === 'credits')).toEqual({ type: 'credits', balance: 4 })
      tab.close()
    }
    expect(await balance(user)).toBe(4)
    const rows = await ledger(user.user.id)
    const grants = rows.filter((r) => r.kind === 'purchase')
    expect(grants).toHaveLength(1)
    expect(grants[0]).toMatchObject({ amount: 3, reference: pi })
    expect(await purchaseRow(purchase.id)).toMatchObject({ status: 'paid', payment_intent: pi })
    expect((await purchaseRow(purchase.id)).paid_at).toEqual(expect.any(Number))

    const mail = await receipts(user.user.id)
    expect(mail).toHaveLength(1)
    expect(mail[0]).toMatchObject({ to_address: user.user.email, status: expect.any(String) })
    expect(mail[0]?.subject).toContain('3 conversations')
    expect(mail[0]?.body).toContain('$29.00')
    expect(mail[0]?.body).toContain(purchase.id)

    const history = await api(server.url, 'GET', '/v1/credits/transactions', { token: user.accessToken })
    expect(history.body.transactions[0]).toMatchObject({ kind: 'purchase', amount: 3, reference: pi })
  })

  test('a signature a little under five minutes old is still accepted', async () => {
    const user = await createUser(server)
    const { purchase } = await startPurchase(user)
    const payload = stripeEventPayload(
      'checkout.session.completed',
      checkoutSessionObject({ purchaseId: purchase.id, paymentIntent: newPaymentIntent() }),
    )
    const signature = signStripePayload(payload, SECRET, Math.floor(Date.now() / 1000) - 270)
    expect((await deliverStripeWebhook(server.url, payload, signature)).status).toBe(200)
    expect(await balance(user)).toBe(3)
  })

  const tampering: [string, (payload: string) => { body: string; signature: string | undefined }][] = [
    [
      'one changed byte in the body',
      (payload) => {
        const signature = signStripePayload(payload, SECRET)
        const i = payload.indexOf('"paid"') + 2
        return {
          body: `${payload.slice(0, i)}${payload[i] === 'a' ? 'A' : 'a'}${payload.slice(i + 1)}`,
          signature,
        }
      },
    ],
    [
      'one changed byte in the purchase id (another purchase)',
      (payload) => ({
        body: payload.replace(
          /"client_reference_id":"pur_(.)/,
          (_, c) => `"client_reference_id":"pur_${c === 'x' ? 'y' : 'x'}`,
        ),
        signature: signStripePayload(payload, SECRET),
      }),
    ],
    [
      'a stale timestamp (301 s old)',
      (payload) => ({
        body: payload,
        signature: signStripePayload(payload, SECRET, Math.floor(Date.now() / 1000) - 301),
      }),
    ],
    [
      'a stale timestamp (one day old)',
      (payload) => ({
        body: payload,
        signature: signStripePayload(payload, SECRET, Math.floor(Date.now() / 1000) - 86_400),
      }),
    ],
    ['a missing signature', (payload) => ({ body: payload, signature: undefined })],
    ['an empty signature', (payload) => ({ body: payload, signature: '' })],
    [
      'a signature made with another secret',
      (payload) => ({ body: payload, signature: signStripePayload(payload, 'whsec_other') }),
    ],
    [
      'the development secret (the server has its own)',
      (payload) => ({ body: payload, signature: signStripePayload(payload, 'whsec_suportra_development') }),
    ],
    [
      'a signature header without v1',
      (payload) => ({ body: payload, signature: `t=${Math.floor(Date.now() / 1000)}` }),
    ],
  ]

  test.each(tampering)(
    '%s → 400, nothing granted, and the genuine event still applies afterwards',
    async (_, tamper) => {
      const user = await createUser(server, { credits: 2 })
      const { purchase } = await startPurchase(user)
      const eventId = `evt_tamper_${Math.random().toString(36).slice(2)}`
      const payload = stripeEventPayload(
        'checkout.session.completed',
        checkoutSessionObject({ purchaseId: purchase.id, paymentIntent: newPaymentIntent() }),
        eventId,
      )
      const before = await ledger(user.user.id)
      const { body, signature } = tamper(payload)
      const result = await deliverStripeWebhook(server.url, body, signature)
      expect(result.status).toBe(400)
      expect(result.body.error.code).toBe('validation')
      expect(await ledger(user.user.id)).toEqual(before)
      expect(await balance(user)).toBe(2)
      expect((await purchaseRow(purchase.id)).status).toBe('pending')
      expect(await receipts(user.user.id)).toEqual([])
      // A refused delivery must not be remembered as applied: Stripe's genuine retry still counts.
      expect(await db().selectFrom('stripe_events').selectAll().where('id', '=', eventId).execute()).toEqual(
        [],
      )
      const genuine = await deliverStripeWebhook(server.url, payload, signStripePayload(payload, SECRET))
      expect(genuine.status).toBe(200)
      expect(await balance(user)).toBe(5)
    },
  )

  test('a signed body that is not JSON is refused without a 500', async () => {
    const body = '{"id":"evt_broken", "type": "checkout.session.completed", '
    const result = await deliverStripeWebhook(server.url, body, signStripePayload(body, SECRET))
    expect(result.status).toBe(400)
  })

  test('the same event delivered 10 times concurrently grants once and sends one receipt', async () => {
    const user = await createUser(server)
    const { purchase } = await startPurchase(user, 'pack_10')
    const payload = stripeEventPayload(
      'checkout.session.completed',
      checkoutSessionObject({ purchaseId: purchase.id, paymentIntent: newPaymentIntent(), amount: 8900 }),
    )
    const signature = signStripePayload(payload, SECRET)
    const results = await Promise.all(
      Array.from({ length: 10 }, () => deliverStripeWebhook(server.url, payload, signature)),
    )
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200))
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1)
    expect((await ledger(user.user.id)).filter((r) => r.kind === 'purchase')).toHaveLength(1)
    expect(await balance(user)).toBe(10)
    expect(await receipts(user.user.id)).toHaveLength(1)
    // Stripe redelivers the same event a day later: still one grant.
    const later = await deliverStripeWebhook(server.url, payload, signStripePayload(payload, SECRET))
    expect(later).toEqual({ status: 200, body: { received: true, duplicate: true } })
    expect(await balance(user)).toBe(10)
  })

  test('two different events for one payment (completed and async_payment_succeeded), concurrently: one grant, one receipt', async () => {
    const user = await createUser(server)
    const { purchase } = await startPurchase(user)
    const pi = newPaymentIntent()
    const object = checkoutSessionObject({ purchaseId: purchase.id, paymentIntent: pi })
    const results = await Promise.all([
      deliver('checkout.session.completed', object),
      deliver('checkout.session.async_payment_succeeded', object),
      deliver('checkout.session.completed', object),
    ])
    expect(results.map((r) => r.status)).toEqual([200, 200, 200])
    expect((await ledger(user.user.id)).filter((r) => r.kind === 'purchase')).toHaveLength(1)
    expect(await balance(user)).toBe(3)
    expect(await receipts(user.user.id)).toHaveLength(1)
  })

  test.each([
    ['a Payment Link naming the purchase only in client_reference_id', { metadata: {} }],
    ['a smaller amount than the pack costs', { amount_total: 100 }],
    ['another currency', { currency: 'jpy' }],
  ])('a paid checkout that is not the one created for the purchase grants nothing: %s', async (_, change) => {
    const user = await createUser(server)
    const { purchase } = await startPurchase(user)
    const object = {
      ...checkoutSessionObject({ purchaseId: purchase.id, paymentIntent: newPaymentIntent() }),
      ...change,
    }
    expect((await deliver('checkout.session.completed', object)).status).toBe(200)
    expect(await balance(user)).toBe(0)
    expect((await purchaseRow(purchase.id)).status).toBe('pending')
    // The real payment still goes through afterwards.
    await paid(purchase.id, newPaymentIntent())
    expect(await balance(user)).toBe(3)
  })

  test('a full refund that arrives before its payment: after both, the balance is what it was and the purchase is refunded', async () => {
    const user = await createUser(server, { credits: 2 })
    const { purchase } = await startPurchase(user)
    const pi = newPaymentIntent()
    expect((await refunded(pi)).status).toBe(200)
    expect(await balance(user)).toBe(2)
    expect((await paid(purchase.id, pi)).status).toBe(200)
    expect(await balance(user)).toBe(2)
    expect((await ledger(user.user.id)).map((r) => r.kind)).toEqual(['grant'])
    const row = await purchaseRow(purchase.id)
    expect(row).toMatchObject({ status: 'refunded', payment_intent: pi })
    expect(row.refunded_at).toEqual(expect.any(Number))
    expect(await receipts(user.user.id)).toEqual([])
  })

  test('a dispute that arrives before its payment: the payment grants nothing', async () => {
    const user = await createUser(server)
    const { purchase } = await startPurchase(user)
    const pi = newPaymentIntent()
    expect((await deliver('charge.dispute.created', disputeObject({ paymentIntent: pi }))).status).toBe(200)
    expect((await paid(purchase.id, pi)).status).toBe(200)
    expect(await balance(user)).toBe(0)
    expect((await purchaseRow(purchase.id)).status).toBe('refunded')
  })

  test('a refund and its payment delivered at the same moment: the refund still wins', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await createUser(server, { credits: 1 })
      const { purchase } = await startPurchase(user)
      const pi = newPaymentIntent()
      const results = await Promise.all([paid(purchase.id, pi), refunded(pi)])
      expect(results.map((r) => r.status)).toEqual([200, 200])
      expect(await balance(user)).toBe(1)
      expect((await purchaseRow(purchase.id)).status).toBe('refunded')
    }
  })

  test('a refund after the payment takes the credits back (a reversal row) and tells the user', async () => {
    const user = await createUser(server, { credits: 1 })
    const { purchase } = await startPurchase(user, 'pack_10')
    const pi = newPaymentIntent()
    await deliver(
      'checkout.session.completed',
      checkoutSessionObject({ purchaseId: purchase.id, paymentIntent: pi, amount: 8900 }),
    )
    expect(await balance(user)).toBe(11)
    const socket = await openSocket(server.url, user.accessToken)
    const result = await deliver(
      'charge.refunded',
      chargeObject({ paymentIntent: pi, amount: 8900, amountRefunded: 8900 }),
    )
    expect(result.status).toBe(200)
    expect(await socket.next((e) => e.type === 'credits')).toEqual({ type: 'credits', balance: 1 })
    socket.close()
    expect(await balance(user)).toBe(1)
    const reversals = (await ledger(user.user.id)).filter((r) => r.kind === 'reversal')
    expect(reversals).toHaveLength(1)
    expect(reversals[0]).toMatchObject({ amount: -10, reference: pi })
    expect(await purchaseRow(purchase.id)).toMatchObject({ status: 'refunded' })
    // The same refund redelivered, and a dispute on top: still one reversal.
    await deliver('charge.refunded', chargeObject({ paymentIntent: pi, amount: 8900, amountRefunded: 8900 }))
    await deliver('charge.dispute.created', disputeObject({ paymentIntent: pi, amount: 8900 }))
    expect((await ledger(user.user.id)).filter((r) => r.kind === 'reversal')).toHaveLength(1)
    expect(await balance(user)).toBe(1)
  })

  test('a refund after the credits were spent takes back what is left: the balance is 0, never negative', async () => {
    const user = await createUser(server)
    const { purchase } = await startPurchase(user)
    const pi = newPaymentIntent()
    await paid(purchase.id, pi)
    await spend(user, 2)
    expect(await balance(user)).toBe(1)
    expect((await refunded(pi)).status).toBe(200)
    expect(await balance(user)).toBe(0)
    const rows = await ledger(user.user.id)
    expect(rows.reduce((sum, r) => sum + r.amount, 0)).toBe(0)
    expect(rows.filter((r) => r.kind === 'reversal')).toHaveLength(1)
    // Spend everything, then a dispute on a second purchase: still 0.
    const second = await startPurchase(user)
    const pi2 = newPaymentIntent()
    await paid(second.purchase.id, pi2)
    await spend(user, 3)
    await deliver('charge.dispute.created', disputeObject({ paymentIntent: pi2 }))
    expect(await balance(user)).toBe(0)
    expect((await purchaseRow(second.purchase.id)).status).toBe('refunded')
  })

  test('a refund while the credits are on hold: the waiting sessions are cancelled and the refunded credits do not come back', async () => {
    // Buy 3, start 3 sessions (3 held), get the payment refunded: the user paid nothing in the end,
    // so they must not keep 3 free conversations. The refund cancels their waiting sessions (releasing
    // the holds) and then takes the pack's credits back; cancelling afterwards has nothing left to do.
    const user = await createUser(server)
    const { purchase } = await startPurchase(user)
    const pi = newPaymentIntent()
    await paid(purchase.id, pi)
    const sessions = await spend(user, 3, false)
    expect(await balance(user)).toBe(0)
    expect((await refunded(pi)).status).toBe(200)
    for (const id of sessions) {
      const cancelled = await api(server.url, 'POST', `/v1/sessions/${id}/cancel`, {
        token: user.accessToken,
      })
      expect(cancelled.status).toBe(409)
      const { body } = await api(server.url, 'GET', `/v1/sessions/${id}`, { token: user.accessToken })
      expect(body.session.status).toBe('cancelled')
    }
    const final = await balance(user)
    expect(final).toBeGreaterThanOrEqual(0)
    expect(final).toBe(0)
  })

  test('a partial refund changes nothing; a later full refund takes the credits back', async () => {
    const user = await createUser(server)
    const { purchase } = await startPurchase(user)
    const pi = newPaymentIntent()
    await paid(purchase.id, pi)
    expect((await refunded(pi, 1000)).status).toBe(200)
    expect(await balance(user)).toBe(3)
    expect((await purchaseRow(purchase.id)).status).toBe('paid')
    expect((await ledger(user.user.id)).filter((r) => r.kind === 'reversal')).toEqual([])
    expect((await refunded(pi, 2900)).status).toBe(200)
    expect(await balance(user)).toBe(0)
    expect((await purchaseRow(purchase.id)).status).toBe('refunded')
  })

  test('a partial refund that arrives before its payment does not cancel the payment', async () => {
    const user = await createUser(server)
    const { purchase } = await startPurchase(user)
    const pi = newPaymentIntent()
    expect((await refunded(pi, 500)).status).toBe(200)
    expect((await paid(purchase.id, pi)).status).toBe(200)
    expect(await balance(user)).toBe(3)
    expect((await purchaseRow(purchase.id)).status).toBe('paid')
  })

  test('a dispute takes the credits back', async () => {
    const user = await createUser(server, { credits: 4 })
    const { purchase } = await startPurchase(user)
    const pi = newPaymentIntent()
    await paid(purchase.id, pi)
    expect(await balance(user)).toBe(7)
    expect((await deliver('charge.dispute.created', disputeObject({ paymentIntent: pi }))).status).toBe(200)
    expect(await balance(user)).toBe(4)
    expect((await ledger(user.user.id)).filter((r) => r.kind === 'reversal')).toMatchObject([{ amount: -3 }])
    expect((await purchaseRow(purchase.id)).status).toBe('refunded')
  })

  test('an unpaid checkout (delayed payment method) grants nothing until async_payment_succeeded', async () => {
    const user = await createUser(server)
    const { purchase } = await startPurchase(user)
    const pi = newPaymentIntent()
    const unpaid = checkoutSessionObject({
      purchaseId: purchase.id,
      paymentIntent: pi,
      paymentStatus: 'unpaid',
    })
    expect((await deliver('checkout.session.completed', unpaid)).status).toBe(200)
    expect(await balance(user)).toBe(0)
    expect((await purchaseRow(purchase.id)).status).toBe('pending')
    expect(await receipts(user.user.id)).toEqual([])
    await deliver('checkout.session.async_payment_failed', unpaid)
    expect(await balance(user)).toBe(0)
    const succeeded = checkoutSessionObject({ purchaseId: purchase.id, paymentIntent: pi })
    expect((await deliver('checkout.session.async_payment_succeeded', succeeded)).status).toBe(200)
    expect(await balance(user)).toBe(3)
  })

  test('events the server does not use, and payments for unknown purchases, are acknowledged (200) and change nothing', async () => {
    const user = await createUser(server, { credits: 1 })
    for (const result of [
      await deliver('customer.created', { id: 'cus_1', object: 'customer' }),
      await deliver('payment_intent.succeeded', { id: 'pi_x', object: 'payment_intent' }),
      await paid('pur_does_not_exist', newPaymentIntent()),
      await refunded(newPaymentIntent()),
    ]) {
      expect(result.status).toBe(200)
    }
    expect(await balance(user)).toBe(1)
  })
})

describe('dev checkout page', () => {
  test('GET renders the test checkout (HTML, strict CSP); a tampered link is 404', async () => {
    const user = await createUser(server)
    const { url, purchase } = await startPurchase(user)
    const page = await fetch(url)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    const html = await page.text()
    expect(html).toContain('3 conversations')
    expect(html).toContain('$29.00')
    expect(html).toMatch(/<form method="post" action="\/dev\/checkout\/pur_[^"]+\/pay\?/)

    const tampered = new URL(url)
    const sig = tampered.searchParams.get('sig') ?? ''
    tampered.searchParams.set('sig', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`)
    expect((await fetch(tampered)).status).toBe(404)
    const redirected = new URL(url)
    redirected.searchParams.set('success', 'https://evil.example/phish')
    expect((await fetch(redirected)).status).toBe(404)
    const unsigned = new URL(url)
    unsigned.searchParams.delete('sig')
    expect((await fetch(unsigned)).status).toBe(404)
    const pay = await fetch(
      `${redirected.origin}/dev/checkout/${purchase.id}/pay?${redirected.searchParams}`,
      {
        method: 'POST',
        redirect: 'manual',
      },
    )
    expect(pay.status).toBe(404)
    expect((await purchaseRow(purchase.id)).status).toBe('pending')
  })

  test('Pay → 303 to the success URL, the credits land (live), and paying again grants nothing more', async () => {
    const user = await createUser(server, { credits: 1 })
    const { url, purchase } = await startPurchase(user, 'pack_10')
    const socket = await openSocket(server.url, user.accessToken)
    const html = await (await fetch(url)).text()
    const action = html.match(/action="([^"]+)"/)?.[1]?.replaceAll('&#38;', '&')
    expect(action).toBeDefined()
    const pay = await fetch(new URL(action ?? '', server.url), { method: 'POST', redirect: 'manual' })
    expect(pay.status).toBe(303)
    expect(pay.headers.get('location')).toBe(SUCCESS)
    expect(await socket.next((e) => e.type === 'credits')).toEqual({ type: 'credits', balance: 11 })
    socket.close()
    expect(await balance(user)).toBe(11)
    expect(await purchaseRow(purchase.id)).toMatchObject({ status: 'paid' })
    expect(await receipts(user.user.id)).toHaveLength(1)

    expect(await (await fetch(url)).text()).toContain('This checkout is paid')
    const again = await fetch(new URL(action ?? '', server.url), { method: 'POST', redirect: 'manual' })
    expect(again.status).toBe(303)
    expect(await balance(user)).toBe(11)
    expect((await ledger(user.user.id)).filter((r) => r.kind === 'purchase')).toHaveLength(1)
  })

  test('without dev pages there is no test checkout: checkout says payments are not set up (503)', async () => {
    const prod = await startTestServer({ devPages: false })
    try {
      const user = await createUser(prod)
      const result = await checkout(user.accessToken, {}, prod)
      expect(result.status).toBe(503)
      expect((await fetch(`${prod.url}/dev/mail`)).status).toBe(404)
      expect((await fetch(`${prod.url}/dev/checkout/pur_x?sig=x`)).status).toBe(404)
    } finally {
      await prod.close()
    }
  })
})

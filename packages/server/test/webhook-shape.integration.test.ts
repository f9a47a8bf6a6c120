import {
  api,
  checkoutSessionObject,
  createUser,
  deliverStripeWebhook,
  signStripePayload,
  startTestServer,
  stripeEventPayload,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createLogger } from '../src/log.js'

// A Stripe webhook signed with the right secret is still input: its shape is checked after the
// signature. A malformed event gets a 400 with a code, changes nothing, is not remembered (Stripe's
// genuine retry still applies), and leaves one warning in the log — no stack trace, no 500.

const SECRET = 'whsec_webhook_shape_test'
const ORIGIN = 'http://localhost:5173'
const lines: string[] = []
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    stripe: { webhookSecret: SECRET },
    logger: createLogger('info', { write: (line) => lines.push(line) }),
  })
})
afterAll(() => server.close())

const db = () => server.current.context.store.db
const signed = (body: string) => deliverStripeWebhook(server.url, body, signStripePayload(body, SECRET))

/** A well-formed event's JSON with `change` applied to the parsed body. */
function altered(
  type: string,
  object: Record<string, unknown>,
  // biome-ignore lint/suspicious/noExplicitAny: the test breaks the event's JSON in every way
  change: (event: Record<string, any>) => void,
) {
  const event = JSON.parse(stripeEventPayload(type, object))
  change(event)
  return JSON.stringify(event)
}

const checkout = checkoutSessionObject({ purchaseId: 'pur_shape', paymentIntent: 'pi_shape' })
const charge = {
  id: 'ch_shape',
  object: 'charge',
  amount: 2900,
  amount_refunded: 2900,
  payment_intent: 'pi_shape',
}

const malformed: [string, string][] = [
  ['an event without id', altered('checkout.session.completed', checkout, (e) => delete e.id)],
  ['an event with an empty id', altered('checkout.session.completed', checkout, (e) => (e.id = ''))],
  ['an event whose id is a number', altered('checkout.session.completed', checkout, (e) => (e.id = 42))],
  ['an event without type', altered('checkout.session.completed', checkout, (e) => delete e.type)],
  ['an event without data', altered('checkout.session.completed', checkout, (e) => delete e.data)],
  ['an event whose data.object is missing', altered('charge.refunded', charge, (e) => (e.data = {}))],
  [
    'an event whose data.object is a string',
    altered('charge.refunded', charge, (e) => (e.data.object = 'x')),
  ],
  ['an event whose data.object is an array', altered('charge.refunded', charge, (e) => (e.data.object = []))],
  ['a JSON array', '[]'],
  ['JSON null', 'null'],
  ['a JSON string', '"evt_1"'],
  [
    'a paid checkout whose amount is a string',
    altered('checkout.session.completed', checkout, (e) => (e.data.object.amount_total = '2900')),
  ],
  [
    'a paid checkout whose metadata is a string',
    altered('checkout.session.completed', checkout, (e) => (e.data.object.metadata = 'pur_shape')),
  ],
  [
    'a paid checkout without its session id',
    altered('checkout.session.completed', checkout, (e) => delete e.data.object.id),
  ],
  [
    'a paid checkout whose payment intent is a number',
    altered('checkout.session.completed', checkout, (e) => (e.data.object.payment_intent = 7)),
  ],
  ['a refund without an amount', altered('charge.refunded', charge, (e) => delete e.data.object.amount)],
  [
    'a refund whose amount refunded is a string',
    altered('charge.refunded', charge, (e) => (e.data.object.amount_refunded = '2900')),
  ],
  [
    'a dispute whose payment intent has no id',
    altered(
      'charge.dispute.created',
      { id: 'dp_1', payment_intent: 'pi_shape' },
      (e) => (e.data.object.payment_intent = {}),
    ),
  ],
]

describe('malformed signed events', () => {
  test.each(malformed)('%s → 400 validation, nothing recorded', async (_, body) => {
    const before = await db().selectFrom('stripe_events').select('id').execute()
    const logged = lines.length
    const result = await signed(body)
    expect({ status: result.status, code: result.body.error?.code }).toEqual({
      status: 400,
      code: 'validation',
    })
    expect(result.body.error.message).toMatch(/Webhook/)
    expect(await db().selectFrom('stripe_events').select('id').execute()).toEqual(before)
    // One warning, no error, no stack.
    const mine = lines.slice(logged).map((line) => JSON.parse(line))
    expect(mine.filter((entry) => entry.level >= 50)).toEqual([])
    expect(mine.filter((entry) => entry.msg === 'stripe webhook refused')).toHaveLength(1)
    expect(lines.slice(logged).join('\n')).not.toMatch(/"stack"|\n\s+at /)
  })

  test('after a malformed delivery, the genuine event applies', async () => {
    const user = await createUser(server)
    const started = await api(server.url, 'POST', '/v1/credits/checkout', {
      token: user.accessToken,
      body: { packId: 'pack_3', successUrl: `${ORIGIN}/ok`, cancelUrl: `${ORIGIN}/no` },
    })
    const purchaseId = String(started.body.url).match(/pur_[\w-]+/)?.[0] ?? ''
    const object = checkoutSessionObject({ purchaseId, paymentIntent: `pi_shape_${Date.now()}` })
    const genuine = stripeEventPayload('checkout.session.completed', object, `evt_shape_${Date.now()}`)
    const broken = JSON.parse(genuine)
    broken.data.object.amount_total = 'lots'
    expect((await signed(JSON.stringify(broken))).status).toBe(400)
    expect((await signed(genuine)).status).toBe(200)
    const balance = await api(server.url, 'GET', '/v1/credits', { token: user.accessToken })
    expect(balance.body.balance).toBe(3)
  })

  test('events the server does not act on only need an id, a type and an object', async () => {
    const result = await signed(stripeEventPayload('customer.created', { id: 'cus_1', object: 'customer' }))
    expect(result.status).toBe(200)
    const odd = await signed(stripeEventPayload('payment_intent.created', { id: 'pi_1', payment_intent: 5 }))
    expect(odd.status).toBe(200)
  })
})

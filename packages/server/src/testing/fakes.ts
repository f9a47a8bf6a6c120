import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'

/** One request a fake third-party API received. */
export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
  /** The status the fake answered with. */
  status: number
}

interface FakeApi {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string
  /** Every request received, in order. */
  requests: RecordedRequest[]
  close(): Promise<void>
}

/**
 * Starts a node:http server that answers each request with `respond` and records it. A `respond`
 * returning `'hang'` never answers (the connection stays open until `close()`).
 */
async function startFake(
  respond: (request: {
    method: string
    path: string
    body: string
  }) => { status: number; body: unknown } | 'hang',
): Promise<FakeApi> {
  const requests: RecordedRequest[] = []
  const hanging = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const request = { method: req.method ?? 'GET', path: req.url ?? '/', body }
      const answer = respond(request)
      if (answer === 'hang') {
        requests.push({ ...request, headers: req.headers, status: 0 })
        hanging.add(res)
        return
      }
      requests.push({ ...request, headers: req.headers, status: answer.status })
      const text = JSON.stringify(answer.body)
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      })
      res.end(text)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

export interface FakeStripe extends FakeApi {
  /** The `POST /v1/checkout/sessions` requests, with their form-encoded bodies decoded. */
  checkouts(): { request: RecordedRequest; form: URLSearchParams }[]
  /** The status the next checkout creations answer with (200 by default; Stripe errors otherwise). */
  status: number
}

/**
 * A fake Stripe API for tests: implements `POST /v1/checkout/sessions` (answering like Stripe with a
 * `cs_test_…` id and a checkout URL) and records every request. Point the server at it with
 * `stripe: { secretKey: 'sk_test_…', apiUrl: fake.url }`.
 */
export async function startFakeStripe(): Promise<FakeStripe> {
  let count = 0
  const fake: FakeStripe = Object.assign(
    await startFake(({ method, path, body }) => {
      if (method !== 'POST' || path.split('?')[0] !== '/v1/checkout/sessions') {
        return {
          status: 404,
          body: {
            error: {
              type: 'invalid_request_error',
              message: `Unrecognized request URL (${method}: ${path})`,
            },
          },
        }
      }
      if (fake.status !== 200) {
        return {
          status: fake.status,
          body: { error: { type: 'api_error', message: 'Fake Stripe was told to fail' } },
        }
      }
      const form = new URLSearchParams(body)
      const id = `cs_test_fake${String(++count).padStart(4, '0')}`
      return {
        status: 200,
        body: {
          id,
          object: 'checkout.session',
          mode: form.get('mode'),
          client_reference_id: form.get('client_reference_id'),
          success_url: form.get('success_url'),
          cancel_url: form.get('cancel_url'),
          payment_status: 'unpaid',
          status: 'open',
          url: `https://checkout.stripe.test/c/pay/${id}`,
        },
      }
    }),
    {
      status: 200,
      checkouts: () =>
        fake.requests
          .filter((r) => r.method === 'POST' && r.path.split('?')[0] === '/v1/checkout/sessions')
          .map((request) => ({ request, form: new URLSearchParams(request.body) })),
    },
  )
  return fake
}

export interface FakeResend extends FakeApi {
  /** How `POST /emails` answers: 200 (sent), another status (a Resend error), or `'hang'` (no answer). */
  mode: number | 'hang'
  /** The `POST /emails` requests, with their JSON bodies parsed. */
  emails(): {
    request: RecordedRequest
    idempotencyKey: string | undefined
    body: { from: string; to: string | string[]; subject: string; text?: string; html?: string }
  }[]
}

/**
 * A fake Resend API for tests: implements `POST /emails` and records every request (headers
 * included, so the `Idempotency-Key` can be checked). Point the server at it with
 * `resend: { apiKey: 're_test', baseUrl: fake.url }`.
 */
export async function startFakeResend(): Promise<FakeResend> {
  let count = 0
  const fake: FakeResend = Object.assign(
    await startFake(({ method, path }) => {
      if (method !== 'POST' || path !== '/emails') {
        return { status: 404, body: { statusCode: 404, name: 'not_found', message: 'Route not found' } }
      }
      if (fake.mode === 'hang') return 'hang'
      if (fake.mode !== 200) {
        return {
          status: fake.mode,
          body: {
            statusCode: fake.mode,
            name: 'internal_server_error',
            message: 'Fake Resend was told to fail',
          },
        }
      }
      return { status: 200, body: { id: `re_fake_${++count}` } }
    }),
    {
      mode: 200 as number | 'hang',
      emails: () =>
        fake.requests
          .filter((r) => r.method === 'POST' && r.path === '/emails')
          .map((request) => ({
            request,
            idempotencyKey: request.headers['idempotency-key'] as string | undefined,
            body: JSON.parse(request.body) as ReturnType<FakeResend['emails']>[number]['body'],
          })),
    },
  )
  return fake
}

// ---- Stripe webhook events, signed like Stripe signs them ----

let eventCount = 0

/** A Stripe event's JSON body (`id` defaults to a fresh `evt_test_…`). */
export function stripeEventPayload(type: string, object: Record<string, unknown>, id?: string): string {
  return JSON.stringify({
    id: id ?? `evt_test_${Date.now().toString(36)}_${++eventCount}`,
    object: 'event',
    api_version: '2025-01-01',
    type,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object },
  })
}

/** A paid (by default) Checkout Session for a purchase, as in `checkout.session.completed`. */
export function checkoutSessionObject(input: {
  purchaseId: string
  paymentIntent: string
  paymentStatus?: 'paid' | 'unpaid' | 'no_payment_required'
  amount?: number
  currency?: string
}): Record<string, unknown> {
  return {
    id: `cs_test_${input.purchaseId}`,
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: input.paymentStatus ?? 'paid',
    payment_intent: input.paymentIntent,
    client_reference_id: input.purchaseId,
    metadata: { purchaseId: input.purchaseId },
    amount_total: input.amount ?? 2900,
    currency: input.currency ?? 'usd',
    customer_details: { name: 'Zoë Tester', email: 'zoe@example.com' },
  }
}

/** A charge, as in `charge.refunded` (`amountRefunded` equal to `amount` is a full refund). */
export function chargeObject(input: {
  paymentIntent: string
  amount?: number
  amountRefunded: number
}): Record<string, unknown> {
  const amount = input.amount ?? 2900
  return {
    id: `ch_test_${input.paymentIntent}`,
    object: 'charge',
    amount,
    amount_captured: amount,
    amount_refunded: input.amountRefunded,
    refunded: input.amountRefunded >= amount,
    currency: 'usd',
    paid: true,
    payment_intent: input.paymentIntent,
    status: 'succeeded',
  }
}

/** A dispute, as in `charge.dispute.created`. */
export function disputeObject(input: { paymentIntent: string; amount?: number }): Record<string, unknown> {
  return {
    id: `dp_test_${input.paymentIntent}`,
    object: 'dispute',
    amount: input.amount ?? 2900,
    charge: `ch_test_${input.paymentIntent}`,
    payment_intent: input.paymentIntent,
    currency: 'usd',
    reason: 'fraudulent',
    status: 'needs_response',
  }
}

/** The `Stripe-Signature` header for `payload`, made by the real Stripe SDK. */
export function signStripePayload(payload: string, secret: string, timestamp?: number): string {
  return new Stripe('sk_test_signing_only').webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp !== undefined && { timestamp }),
  })
}

/** POSTs a webhook body to the server's Stripe endpoint, as Stripe would. */
export async function deliverStripeWebhook(
  serverUrl: string,
  payload: string,
  signature: string | undefined,
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely and assert on them
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${serverUrl}/v1/webhooks/stripe`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      ...(signature !== undefined && { 'stripe-signature': signature }),
    },
    body: payload,
  })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {}
  return { status: response.status, body }
}

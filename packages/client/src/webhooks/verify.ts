/**
 * `@suportra/client/webhooks`: checks a Suportra webhook on the vendor's backend. Web Crypto only,
 * so it runs on Node 20+, Deno, Bun, Cloudflare Workers and other edge runtimes; not part of the
 * browser client (a webhook secret never belongs in a browser).
 */
import type { WebhookEvent } from '@suportra/protocol/server-api'
import { SuportraError } from '../core/errors.js'

export type { WebhookEvent, WebhookEventType } from '@suportra/protocol/server-api'

/** Why a webhook was refused: `details.reason` of the `SuportraError` `verifyWebhook` throws. */
export type WebhookFailure =
  | 'missing_header'
  | 'malformed_header'
  | 'timestamp_out_of_tolerance'
  | 'signature_mismatch'
  | 'invalid_payload'

export interface VerifyWebhookOptions {
  /** The raw request body, exactly as received (not parsed and serialized again). */
  payload: string | Uint8Array | ArrayBuffer
  /** The `Suportra-Signature` header. */
  header: string | null | undefined
  /** The endpoint's signing secret (`whsec_…`), from its creation. */
  secret: string
  /** How far the signed time may be from now, in seconds (default 300). */
  toleranceSeconds?: number
  /** Now, in Unix seconds (tests). */
  now?: number
}

const fail = (reason: WebhookFailure, message: string) =>
  new SuportraError(reason === 'invalid_payload' ? 'validation' : 'unauthorized', message, {
    details: { reason },
  })

/**
 * Verifies a webhook's `Suportra-Signature` (`t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<raw body>")>`, as Stripe signs) and returns the event it carries. Throws a `SuportraError`
 * (`unauthorized`; `details.reason` says why) for a missing or malformed header, a time further than
 * `toleranceSeconds` from now (a replay), or a signature that does not match; `validation` for a
 * body that is not the raw JSON. Signatures are compared in constant time. Answer 2xx quickly and
 * handle the event after: a delivery is retried until it gets a 2xx, so the same `event.id` can
 * arrive more than once; skip ids you have seen.
 */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<WebhookEvent> {
  const { payload, header, secret, toleranceSeconds = 300 } = options
  const encoder = new TextEncoder()
  const body =
    typeof payload === 'string'
      ? encoder.encode(payload)
      : payload instanceof Uint8Array
        ? payload
        : payload instanceof ArrayBuffer
          ? new Uint8Array(payload)
          : undefined
  if (!body) throw fail('invalid_payload', 'Pass the raw request body (a string or bytes), not parsed JSON')
  if (!secret) throw fail('invalid_payload', 'Pass the endpoint secret (whsec_…)')
  if (!header) throw fail('missing_header', 'Missing Suportra-Signature header')
  let t: number | undefined
  const signatures: Uint8Array[] = []
  for (const part of header.split(',')) {
    const [key, value = ''] = part.trim().split('=', 2)
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value)
    else if (key === 'v1' && /^[\da-f]{64}$/i.test(value)) signatures.push(fromHex(value))
  }
  if (t === undefined || signatures.length === 0) {
    throw fail('malformed_header', 'Suportra-Signature must be t=<unix seconds>,v1=<hex signature>')
  }
  const now = options.now ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - t) > toleranceSeconds) {
    throw fail(
      'timestamp_out_of_tolerance',
      `Webhook was signed ${now - t} s from now, beyond the ${toleranceSeconds} s tolerance (a replay, or a wrong clock)`,
    )
  }
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const prefix = encoder.encode(`${t}.`)
  const signed = new Uint8Array(prefix.length + body.length)
  signed.set(prefix)
  signed.set(body, prefix.length)
  const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key, signed))
  // Every signature is compared whole, whether or not an earlier one matched.
  let matched = false
  for (const signature of signatures) matched = constantTimeEqual(expected, signature) || matched
  if (!matched)
    throw fail('signature_mismatch', 'Webhook signature does not match (wrong secret, or a changed body)')
  try {
    return JSON.parse(new TextDecoder().decode(body)) as WebhookEvent
  } catch {
    throw fail('invalid_payload', 'Webhook body is not JSON')
  }
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

/** Compares two byte strings in time that depends on their length only. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

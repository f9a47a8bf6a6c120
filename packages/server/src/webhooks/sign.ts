import { createHmac } from 'node:crypto'

/**
 * The `Suportra-Signature` header of a delivery, as Stripe signs its webhooks:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. The time is signed with the
 * body, so a captured delivery cannot be replayed later than the receiver's tolerance.
 */
export function signatureHeader(secret: string, body: string, nowMs = Date.now()): string {
  const t = Math.floor(nowMs / 1000)
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
  return `t=${t},v1=${v1}`
}

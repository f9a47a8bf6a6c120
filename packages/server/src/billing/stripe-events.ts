import * as z from 'zod/mini'
import type { Context } from '../context.js'
import { DomainError, invalid, validationError } from '../errors.js'
import { createStripe, WEBHOOK_TOLERANCE_SECONDS } from './stripe.js'

// The parts of Stripe's events this server reads, checked after the signature: a correctly signed
// body is still input (a misconfigured secret, a test tool, a change of API version), and a missing
// field must give a 400 with a reason rather than a 500 deep in the payment code.

const Id = z.string().check(z.minLength(1), z.maxLength(255))
const PaymentIntentRef = z.nullish(z.union([Id, z.object({ id: Id })]))
const Amount = z.int().check(z.nonnegative())

const Envelope = z.object({
  id: Id,
  type: Id,
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
})

const CheckoutSession = z.object({
  id: Id,
  payment_status: z.string(),
  payment_intent: PaymentIntentRef,
  metadata: z.nullish(z.record(z.string(), z.string())),
  amount_total: z.nullable(Amount),
  currency: z.nullable(z.string()),
})
export type CheckoutSession = z.infer<typeof CheckoutSession>

const Charge = z.object({ amount: Amount, amount_refunded: Amount, payment_intent: PaymentIntentRef })
const Dispute = z.object({ payment_intent: PaymentIntentRef })

/** What a verified event means to this server. */
export interface StripeEvent {
  id: string
  type: string
  paymentIntent: string | null
  /** A full refund or a dispute: the payment is taken back. */
  reverses: boolean
  /** A refund of part of the payment (left to the operator). */
  partialRefund: boolean
  /** For a paid checkout (`checkout.session.completed`, `…async_payment_succeeded`). */
  checkout: CheckoutSession | null
}

const PAID = new Set(['checkout.session.completed', 'checkout.session.async_payment_succeeded'])

/**
 * Checks the signature on the raw body (a changed byte, a missing header or a timestamp older than
 * five minutes is refused), then the JSON and the shape of the fields used. Every refusal is a
 * `validation` error (400) and one warning line in the log, never a stack trace.
 */
export function verifyStripeEvent(ctx: Context, raw: string, signature: string | undefined): StripeEvent {
  if (!signature) throw invalid('Missing Stripe-Signature header')
  const refuse = (reason: string, error: DomainError, fields: Record<string, unknown> = {}) => {
    ctx.log.warn({ reason, ...fields }, 'stripe webhook refused')
    return error
  }
  try {
    const verifier = createStripe(ctx.config.stripe).webhooks.signature
    if (!verifier) throw new Error('the Stripe SDK has no signature verifier')
    verifier.verifyHeader(raw, signature, ctx.config.stripe.webhookSecret, WEBHOOK_TOLERANCE_SECONDS)
  } catch (error) {
    throw refuse(
      error instanceof Error ? error.message : String(error),
      new DomainError('validation', 'Webhook signature or timestamp is not valid'),
    )
  }
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    throw refuse('not JSON', invalid('Webhook body is not valid JSON'))
  }
  const event = check(Envelope, json, 'Webhook event', refuse)
  const object = event.data.object
  const fields = { eventId: event.id, type: event.type }
  const what = `Webhook event ${event.type}`
  if (PAID.has(event.type)) {
    const checkout = check(CheckoutSession, object, `${what} data.object`, refuse, fields)
    return { ...base(event), paymentIntent: refOf(checkout.payment_intent), checkout }
  }
  if (event.type === 'charge.refunded') {
    const charge = check(Charge, object, `${what} data.object`, refuse, fields)
    const full = charge.amount_refunded >= charge.amount
    return {
      ...base(event),
      paymentIntent: refOf(charge.payment_intent),
      reverses: full,
      partialRefund: !full,
    }
  }
  if (event.type === 'charge.dispute.created') {
    const dispute = check(Dispute, object, `${what} data.object`, refuse, fields)
    return { ...base(event), paymentIntent: refOf(dispute.payment_intent), reverses: true }
  }
  // An event this server does not act on: recorded (so it is applied once), its payment looked at.
  const loose = PaymentIntentRef.safeParse(object.payment_intent)
  return { ...base(event), paymentIntent: loose.success ? refOf(loose.data) : null }
}

function base(event: z.infer<typeof Envelope>): StripeEvent {
  return {
    id: event.id,
    type: event.type,
    paymentIntent: null,
    reverses: false,
    partialRefund: false,
    checkout: null,
  }
}

const refOf = (value: z.infer<typeof PaymentIntentRef>) =>
  typeof value === 'string' ? value : (value?.id ?? null)

function check<S extends z.ZodMiniType>(
  schema: S,
  value: unknown,
  what: string,
  refuse: (reason: string, error: DomainError, fields?: Record<string, unknown>) => DomainError,
  fields: Record<string, unknown> = {},
): z.infer<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data as z.infer<S>
  const error = validationError(result.error, what)
  throw refuse(error.message, error, fields)
}

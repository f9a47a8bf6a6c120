import type { Context } from '../context.js'
import { appendEntry } from '../credits/ledger.js'
import { notifyCredits } from '../credits/notify.js'
import type { Tx } from '../db/database.js'
import { queueEmail } from '../email/outbox.js'
import { receipt } from '../email/templates.js'
import { queueWebhook } from '../webhooks/outbox.js'
import { reconcile } from './reversal.js'
import { type CheckoutSession, verifyStripeEvent } from './stripe-events.js'

/**
 * Applies a Stripe webhook. The signature is checked on the raw body, then the event's shape
 * (`verifyStripeEvent`: a malformed event is a 400, never a 500); each event id is recorded in the
 * same transaction as its effect, so redeliveries and concurrent duplicates change nothing. Refunds
 * and disputes are applied by `reconcile`, which looks at what is recorded rather than at one event,
 * so their order relative to the payment does not matter.
 */
export async function handleStripeWebhook(ctx: Context, raw: string, signature: string | undefined) {
  const event = verifyStripeEvent(ctx, raw, signature)
  const { paymentIntent } = event
  const { duplicate, userId } = await ctx.store.transaction(async (tx) => {
    const recorded = await tx
      .insertInto('stripe_events')
      .values({
        id: event.id,
        type: event.type,
        payment_intent: paymentIntent,
        reverses: event.reverses ? 1 : 0,
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst()
    if (recorded.numInsertedOrUpdatedRows === 0n) return { duplicate: true, userId: null }
    if (event.partialRefund) {
      ctx.log.warn({ eventId: event.id, paymentIntent }, 'partial refund: credits left as they are')
    }
    const paid = event.checkout ? await applyPayment(ctx, tx, event.checkout, paymentIntent) : null
    return { duplicate: false, userId: paid }
  })
  if (userId) await notifyCredits(ctx, userId)
  // Also for duplicates: a delivery that crashed half-way finishes here.
  if (paymentIntent) await reconcile(ctx, paymentIntent)
  ctx.log.info({ eventId: event.id, type: event.type, duplicate }, 'stripe webhook')
  return { received: true, duplicate }
}

/**
 * A checkout was paid: the purchase turns paid exactly once (a conditional update), and only then are
 * the credits granted and the receipt queued. Not granted when a refund or dispute is already on record,
 * nor when the account was deleted meanwhile (the payment is still recorded, for the operator).
 */
async function applyPayment(ctx: Context, tx: Tx, session: CheckoutSession, paymentIntent: string | null) {
  if (session.payment_status !== 'paid') return null
  // Only the checkout this server created pays for a purchase: a customer can put any purchase id
  // in a Payment Link's client_reference_id, so that field is not trusted, and the session and the
  // amount must be the ones recorded at checkout.
  const purchaseId = session.metadata?.purchaseId
  if (!purchaseId) return null
  const pending = await tx.selectFrom('purchases').selectAll().where('id', '=', purchaseId).executeTakeFirst()
  if (!pending) return null
  if (
    (pending.checkout_id !== null && pending.checkout_id !== session.id) ||
    session.amount_total !== pending.amount ||
    session.currency?.toLowerCase() !== pending.currency.toLowerCase()
  ) {
    ctx.log.warn({ purchaseId, checkout: session.id }, 'payment does not match its purchase: nothing granted')
    return null
  }
  const reversed =
    paymentIntent !== null &&
    (await tx
      .selectFrom('stripe_events')
      .select('id')
      .where('payment_intent', '=', paymentIntent)
      .where('reverses', '=', 1)
      .executeTakeFirst()) !== undefined
  const now = Date.now()
  const purchase = await tx
    .updateTable('purchases')
    .set({
      status: reversed ? 'refunded' : 'paid',
      paid_at: now,
      refunded_at: reversed ? now : null,
      payment_intent: paymentIntent,
      checkout_id: session.id,
    })
    .where('id', '=', purchaseId)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst()
  if (!purchase || reversed) return null
  if (!purchase.user_id) {
    ctx.log.warn({ purchaseId }, 'payment for a deleted account: recorded, no credits granted')
    return null
  }
  const granted = await appendEntry(tx, {
    userId: purchase.user_id,
    kind: 'purchase',
    amount: purchase.credits,
    key: `purchase:${purchase.id}`,
    reference: paymentIntent ?? session.id,
  })
  if (!granted) return null
  const user = await tx
    .selectFrom('users')
    .select(['name', 'email', 'app_id', 'external_id'])
    .where('id', '=', purchase.user_id)
    .executeTakeFirst()
  // The vendor whose user bought hears of it (metadata: no amount paid, no payment details).
  if (user?.app_id) {
    await queueWebhook(tx, {
      appId: user.app_id,
      type: 'credits.purchased',
      data: {
        userId: purchase.user_id,
        externalId: user.external_id,
        purchaseId: purchase.id,
        packId: purchase.pack_id,
        credits: purchase.credits,
      },
    })
  }
  const pack = ctx.config.packs.find((p) => p.id === purchase.pack_id)
  if (user?.email) {
    await queueEmail(tx, {
      userId: purchase.user_id,
      to: user.email,
      kind: 'receipt',
      reference: purchase.id,
      ...receipt({
        name: user.name,
        pack: pack?.name ?? purchase.pack_id,
        credits: purchase.credits,
        amount: purchase.amount,
        currency: purchase.currency,
        reference: purchase.id,
      }),
    })
  }
  return purchase.user_id
}

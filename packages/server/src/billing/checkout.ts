import type { CheckoutRequest } from '@suportra/protocol'
import { allows } from '../apps/apps.js'
import { isServerOrigin } from '../apps/origins.js'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { DomainError, forbidden, invalid } from '../errors.js'
import { newId } from '../ids.js'
import { findUser } from '../users/users.js'
import { devCheckoutUrl } from './dev-pages.js'
import { createStripe } from './stripe.js'

/**
 * Starts buying a pack: records a pending purchase and returns where to pay. With Stripe keys that is a
 * Stripe Checkout page; without, the server's test checkout (`/dev/checkout/:id`). Credits arrive only
 * through the webhook, never here.
 */
export async function startCheckout(
  ctx: Context,
  caller: Caller,
  input: CheckoutRequest,
): Promise<{ url: string }> {
  // The server's own pages may be return URLs too: its public origin, never one taken from Host.
  const serverOrigin = ctx.config.publicUrl
  const pack = ctx.config.packs.find((p) => p.id === input.packId)
  if (!pack) throw invalid(`Unknown pack "${input.packId}"; see GET /v1/credits/packs`)
  const app = await ctx.apps.get(caller.appId)
  for (const url of [input.successUrl, input.cancelUrl]) {
    const origin = new URL(url).origin
    if (!app || !(allows(app, origin) || isServerOrigin(ctx.config, origin))) {
      throw forbidden(`Return URLs must be on one of the app's allowed origins, not ${origin}`)
    }
  }
  const user = await findUser(ctx.store, caller.userId)
  const purchase = {
    id: newId('pur'),
    user_id: caller.userId,
    pack_id: pack.id,
    credits: pack.credits,
    amount: pack.price,
    currency: pack.currency,
    status: 'pending' as const,
    checkout_id: null as string | null,
    payment_intent: null,
    created_at: Date.now(),
    paid_at: null,
    refunded_at: null,
  }
  let url: string
  if (ctx.config.stripe.secretKey) {
    const session = await createStripe(ctx.config.stripe).checkout.sessions.create({
      mode: 'payment',
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: pack.currency,
            unit_amount: pack.price,
            product_data: { name: `Suportra: ${pack.name}` },
          },
        },
      ],
      client_reference_id: purchase.id,
      metadata: { purchaseId: purchase.id },
      ...(user?.email && { customer_email: user.email }),
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
    })
    if (!session.url) throw new Error('Stripe returned a checkout session without a URL')
    purchase.checkout_id = session.id
    url = session.url
  } else if (ctx.config.devPages && serverOrigin) {
    url = devCheckoutUrl(ctx, serverOrigin, purchase.id, input.successUrl, input.cancelUrl)
  } else {
    throw new DomainError('server', 'Payments are not set up on this server (no Stripe key)', {
      kind: 'unavailable',
    })
  }
  await ctx.store.db.insertInto('purchases').values(purchase).execute()
  ctx.log.info({ purchaseId: purchase.id, packId: pack.id, userId: caller.userId }, 'checkout started')
  return { url }
}

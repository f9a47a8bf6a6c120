import { CheckoutRequest } from '@suportra/protocol'
import { Hono } from 'hono'
import { type Env, readJson, requireCustomer } from '../http/request.js'
import { startCheckout } from './checkout.js'
import { handleStripeWebhook } from './webhooks.js'

/** Packs, prices and checkout, mounted under /v1/credits. */
export const billingRoutes = new Hono<Env>()
  .get('/packs', (c) => {
    const { packs, conversationCost, videoCost, lowBalanceThreshold } = c.get('ctx').config
    return c.json({
      packs,
      costs: { conversation: conversationCost, video: videoCost },
      lowBalance: lowBalanceThreshold,
    })
  })
  .post('/checkout', async (c) => {
    const caller = await requireCustomer(c, 'buy credits')
    const input = await readJson(c, CheckoutRequest)
    return c.json(await startCheckout(c.get('ctx'), caller, input))
  })

/** Stripe calls this; the raw body is what the signature covers. */
export const webhookRoutes = new Hono<Env>().post('/stripe', async (c) =>
  c.json(await handleStripeWebhook(c.get('ctx'), await c.req.text(), c.req.header('stripe-signature'))),
)

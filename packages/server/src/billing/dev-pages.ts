import { createHmac, timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import type { Context } from '../context.js'
import { recentEmails } from '../email/outbox.js'
import { notFound } from '../errors.js'
import { type C, type Env, requireOwnHost } from '../http/request.js'
import { newId } from '../ids.js'
import { findPurchase } from './purchases.js'
import { createStripe } from './stripe.js'
import { handleStripeWebhook } from './webhooks.js'

/** Escapes text for HTML (these pages build their markup as strings, so everything shown goes through here). */
const html = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const page = (c: C, title: string, body: string) =>
  c.html(
    `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${html(title)}</title><body style="font:16px/1.5 system-ui,sans-serif;max-width:640px;margin:40px auto;padding:0 16px">${body}</body></html>`,
    200,
    {
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
    },
  )

/** Signs the purchase and its return URLs as one JSON array, so no other split of them matches. */
function sign(ctx: Context, purchaseId: string, success: string, cancel: string) {
  return createHmac('sha256', ctx.config.stripe.webhookSecret)
    .update(JSON.stringify([purchaseId, success, cancel]))
    .digest('base64url')
}

/** The test checkout link for a purchase; the return URLs are signed so the page cannot be made to redirect elsewhere. */
export function devCheckoutUrl(
  ctx: Context,
  origin: string,
  purchaseId: string,
  success: string,
  cancel: string,
) {
  const query = new URLSearchParams({ success, cancel })
  query.set('sig', sign(ctx, purchaseId, success, cancel))
  return `${origin}/dev/checkout/${purchaseId}?${query}`
}

function returnUrls(ctx: Context, c: C) {
  const id = c.req.param('id') ?? ''
  const success = c.req.query('success') ?? ''
  const cancel = c.req.query('cancel') ?? ''
  const expected = Buffer.from(sign(ctx, id, success, cancel))
  const given = Buffer.from(c.req.query('sig') ?? '')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw notFound('Checkout')
  return { id, success, cancel }
}

/**
 * Development pages, served only with `devPages` (the demo): a test checkout that pays by sending a
 * webhook signed with the development secret through the real verification path, and the local
 * email outbox. They need no sign-in, so they answer only to this server's own host names (not to
 * a DNS-rebinding page's).
 */
export function devPages(): Hono<Env> {
  return new Hono<Env>()
    .use(async (c, next) => {
      requireOwnHost(c)
      await next()
    })
    .get('/checkout/:id', async (c) => {
      const ctx = c.get('ctx')
      const { id, success, cancel } = returnUrls(ctx, c)
      const purchase = await findPurchase(ctx.store, id)
      if (!purchase) throw notFound('Checkout')
      const pack = ctx.config.packs.find((p) => p.id === purchase.pack_id)
      const price = new Intl.NumberFormat('en', {
        style: 'currency',
        currency: purchase.currency.toUpperCase(),
      }).format(purchase.amount / 100)
      const done = purchase.status !== 'pending'
      return page(
        c,
        'Test checkout',
        `<p style="padding:8px 12px;background:#fef3c7;border-radius:8px">Test mode: no card is charged. Paying sends a signed webhook to this server.</p>
<h1>${html(pack?.name ?? purchase.pack_id)}</h1><p>${html(purchase.credits)} credits · ${html(price)}</p>
${
  done
    ? `<p>This checkout is ${html(purchase.status)}.</p><p><a href="${html(success)}">Back</a></p>`
    : `<form method="post" action="/dev/checkout/${html(id)}/pay?${html(new URL(c.req.url).searchParams)}"><button type="submit" style="padding:10px 18px;font:inherit">Pay ${html(price)}</button></form><p><a href="${html(cancel)}">Cancel</a></p>`
}`,
      )
    })
    .post('/checkout/:id/pay', async (c) => {
      const ctx = c.get('ctx')
      const { id, success } = returnUrls(ctx, c)
      const purchase = await findPurchase(ctx.store, id)
      if (!purchase) throw notFound('Checkout')
      const payload = JSON.stringify({
        id: newId('evt_dev'),
        object: 'event',
        type: 'checkout.session.completed',
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        data: {
          object: {
            id: `cs_dev_${id}`,
            object: 'checkout.session',
            payment_status: 'paid',
            payment_intent: `pi_dev_${id}`,
            client_reference_id: id,
            metadata: { purchaseId: id },
            amount_total: purchase.amount,
            currency: purchase.currency,
          },
        },
      })
      const signature = createStripe(ctx.config.stripe).webhooks.generateTestHeaderString({
        payload,
        secret: ctx.config.stripe.webhookSecret,
      })
      // The webhook handler Stripe reaches, with its signature check; not over HTTP to an address
      // taken from the request (a forged Host would send it elsewhere).
      const delivered = await handleStripeWebhook(ctx, payload, signature).then(
        () => true,
        (err: unknown) => {
          ctx.log.warn({ err }, 'test checkout: webhook refused')
          return false
        },
      )
      if (!delivered) return page(c, 'Payment failed', '<p>The webhook was refused.</p>')
      return c.redirect(success, 303)
    })
    .get('/mail', async (c) => {
      const emails = await recentEmails(c.get('ctx').store)
      const items = emails
        .map(
          (e) =>
            `<article style="border-top:1px solid #ddd;padding:8px 0"><strong>${html(e.subject)}</strong><br><small>to ${html(e.to_address)} · ${html(e.kind)} · ${html(e.status)} · ${html(new Date(e.created_at).toISOString())}</small><h3 style="font-size:13px;margin:8px 0 0">Text part</h3><pre dir="auto" style="white-space:pre-wrap">${html(e.body)}</pre>${e.html ? `<h3 style="font-size:13px;margin:8px 0 0">HTML part</h3><iframe sandbox title="HTML part of ${html(e.subject)}" srcdoc="${html(e.html)}" style="width:100%;height:360px;border:1px solid #ddd;border-radius:8px"></iframe>` : ''}</article>`,
        )
        .join('')
      return page(
        c,
        'Outbox',
        `<h1>Local email outbox</h1><p>${emails.length} emails (newest first). Set SUPORTRA_SMTP_URL or RESEND_API_KEY to send them.</p>${items}`,
      )
    })
}

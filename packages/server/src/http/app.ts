import { LIMITS } from '@suportra/client/protocol'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { secureHeaders } from 'hono/secure-headers'
import { methodsRoutes } from '../auth/methods.js'
import { passwordResetRoutes } from '../auth/password-reset.js'
import { authRoutes, meRoutes } from '../auth/routes.js'
import { devPages } from '../billing/dev-pages.js'
import { billingRoutes, webhookRoutes } from '../billing/routes.js'
import type { Context } from '../context.js'
import {
  accountRoutes,
  attachmentRoutes,
  auditRoutes,
  builderRoutes,
  creditRoutes,
  toolRoutes,
} from '../routes.js'
import { sessionRoutes } from '../sessions/routes.js'
import { ApiError } from './errors.js'
import { isServerOrigin } from './origin.js'
import { type Env, limitBody } from './request.js'
import { responseCheck } from './response-check.js'
import { widgetAssets } from './widget-assets.js'

/** The HTTP API. Every failure leaves as `{ error: { code, message } }`; unknown errors as a logged 500. */
export function createApp(ctx: Context): Hono<Env> {
  const app = new Hono<Env>()

  app.use(securityHeaders(ctx))

  app.use(async (c, next) => {
    c.set('ctx', ctx)
    const started = performance.now()
    await next()
    ctx.log.debug(
      {
        method: c.req.method,
        path: c.req.routePath,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
        userId: c.get('caller')?.userId,
      },
      'request',
    )
  })

  app.use(responseCheck(ctx))
  app.use(
    '/v1/*',
    cors({
      origin: async (origin) =>
        isServerOrigin(ctx.config, origin) || (await ctx.apps.anyAllows(origin)) ? origin : null,
      allowMethods: ['GET', 'POST', 'DELETE'],
      allowHeaders: ['Authorization', 'Content-Type', 'X-Suportra-App', 'Idempotency-Key'],
      exposeHeaders: ['Retry-After'],
      maxAge: 600,
    }),
  )

  const jsonLimit = limitBody(LIMITS.jsonBodyBytes)
  app.use('/v1/*', (c, next) => (c.req.path.endsWith('/attachments') ? next() : jsonLimit(c, next)))

  app.get('/health', (c) => c.json({ ok: true }))
  app.route('/', widgetAssets())
  app.route('/v1/auth', authRoutes)
  app.route('/v1/auth/password-reset', passwordResetRoutes)
  app.route('/v1/auth/methods', methodsRoutes)
  app.route('/v1/me', meRoutes)
  app.route('/v1/account', accountRoutes)
  app.route('/v1/tools', toolRoutes)
  app.route('/v1/credits', creditRoutes)
  app.route('/v1/credits', billingRoutes)
  app.route('/v1/webhooks', webhookRoutes)
  if (ctx.config.devPages) app.route('/dev', devPages())
  app.route('/v1/sessions', sessionRoutes)
  app.route('/v1/builder', builderRoutes)
  app.route('/v1/attachments', attachmentRoutes)
  app.route('/v1/audits', auditRoutes)

  app.notFound((c) =>
    c.json(new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}`).toJSON(), 404),
  )

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      const retryAfter = error.details?.retryAfter
      if (retryAfter !== undefined) c.header('Retry-After', String(retryAfter))
      // The rest of an oversized body is never read: do not reuse this connection.
      if (error.status === 413) c.header('Connection', 'close')
      return c.json(error.toJSON(), error.status as 400)
    }
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(
        new ApiError('validation', error.message || 'Bad request', { status: error.status }).toJSON(),
        error.status,
      )
    }
    ctx.log.error({ err: error, method: c.req.method, path: c.req.routePath }, 'unhandled error')
    return c.json(new ApiError('server', 'Something went wrong on our side').toJSON(), 500)
  })

  return app
}

/**
 * Headers on every response (hono's secureHeaders): `nosniff`, `Referrer-Policy: no-referrer`, a
 * CSP that lets nothing load or frame (JSON needs nothing), `X-Frame-Options`, COOP, CORP
 * `same-origin` (CORS fetches are not subject to it), and HSTS when the public URL is https.
 * Headers a route sets itself win: the widget's files are `cross-origin` (host pages load them) and the
 * development pages have their own CSP.
 */
function securityHeaders(ctx: Context) {
  return secureHeaders({
    overwrite: false,
    strictTransportSecurity: ctx.config.publicUrl?.startsWith('https:')
      ? 'max-age=31536000; includeSubDomains'
      : false,
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
  })
}

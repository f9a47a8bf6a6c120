import { LIMITS } from '@suportra/protocol'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { secureHeaders } from 'hono/secure-headers'
import { accountRoutes, transcriptRoutes } from './account/routes.js'
import { isServerOrigin } from './apps/origins.js'
import { auditRoutes } from './audits/routes.js'
import { methodsRoutes } from './auth/methods.js'
import { passwordResetRoutes } from './auth/password-reset-routes.js'
import { authRoutes, meRoutes } from './auth/routes.js'
import { availabilityRoutes, builderAvailabilityRoutes } from './availability/routes.js'
import { devPages } from './billing/dev-pages.js'
import { billingRoutes, webhookRoutes } from './billing/routes.js'
import { builderRoutes } from './builders/routes.js'
import type { Context } from './context.js'
import { creditRoutes } from './credits/routes.js'
import { errorResponse, notFoundResponse } from './http/error-response.js'
import { type Env, limitBody } from './http/request.js'
import { responseCheck } from './http/response-check.js'
import { widgetAssets } from './http/widget-assets.js'
import { attachmentRoutes, sessionMessageRoutes } from './messages/routes.js'
import { openApiRoutes } from './openapi/routes.js'
import { sessionRoutes, toolRoutes } from './sessions/routes.js'

/**
 * The HTTP API: the middleware every request passes, then the route table (each domain folder
 * owns its routes). Every failure leaves as `{ error: { code, message } }`, unknown errors as a
 * logged 500 (`http/error-response.ts`).
 */
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
  app.route('/', openApiRoutes)
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
  app.route('/v1/sessions', sessionMessageRoutes)
  app.route('/v1/sessions', transcriptRoutes)
  app.route('/v1/builder', builderRoutes)
  app.route('/v1/attachments', attachmentRoutes)
  app.route('/v1/audits', auditRoutes)
  app.route('/v1/availability', availabilityRoutes)
  app.route('/v1/builder/availability', builderAvailabilityRoutes)

  app.notFound(notFoundResponse)
  app.onError((error, c) => errorResponse(c, error, ctx.log))

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

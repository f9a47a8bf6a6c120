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
import { requestContext } from './ops/request-context.js'
import { opsRoutes } from './ops/routes.js'
import { serverApiRoutes } from './server-api/routes.js'
import { sessionRoutes, toolRoutes } from './sessions/routes.js'

/**
 * The HTTP API: the middleware every request passes, then the route table (each domain folder
 * owns its routes). Every failure leaves as `{ error: { code, message } }`, unknown errors as a
 * logged 500 (`http/error-response.ts`).
 */
export function createApp(ctx: Context): Hono<Env> {
  const app = new Hono<Env>()

  app.use(securityHeaders(ctx))

  // The request id, the access log and the HTTP metrics (ops/request-context.ts).
  app.use(requestContext(ctx))

  app.use(responseCheck(ctx))
  const corsHeaders = cors({
    origin: async (origin) =>
      isServerOrigin(ctx.config, origin) || (await ctx.apps.anyAllows(origin)) ? origin : null,
    allowMethods: ['GET', 'POST', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'X-Suportra-App', 'Idempotency-Key'],
    exposeHeaders: ['Retry-After'],
    maxAge: 600,
  })
  // CORS answers requests that carry an Origin; the others (servers, scripts) skip it, so that their
  // response is not built twice (hono's cors touches the response before the route makes it).
  app.use('/v1/*', async (c, next) => {
    if (c.req.header('origin') !== undefined) return corsHeaders(c, next)
    await next()
    // (On the headers in place: `c.header` after the route would build the response again.)
    c.res.headers.append('Vary', 'Origin')
  })

  const jsonLimit = limitBody(LIMITS.jsonBodyBytes)
  // Uploads and batch sends have limits of their own (on their routes).
  const ownLimit = (path: string) => path.endsWith('/attachments') || path.endsWith('/messages/batch')
  app.use('/v1/*', (c, next) => (ownLimit(c.req.path) ? next() : jsonLimit(c, next)))

  app.get('/health', (c) => c.json({ ok: true }))
  app.route('/', opsRoutes)
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
  app.route('/v1/server', serverApiRoutes)
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

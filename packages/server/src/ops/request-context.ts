import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { Context } from '../context.js'
import type { Env } from '../http/env.js'
import { requestIdOf, withRequestId } from './request-id.js'

/**
 * The route pattern a request matched (`/v1/sessions/:id/messages`), never the raw path, so metrics
 * and logs have one series per route and no ids in labels; `(unmatched)` for a 404 on no route.
 */
export function routeOf(c: Parameters<MiddlewareHandler<Env>>[0]): string {
  const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL')
  return route?.path ?? '(unmatched)'
}

/**
 * The first middleware: gives the request its id (`X-Request-Id` in and out), runs the rest inside
 * it so every log line of the request carries it, then writes the access log line (info) and
 * counts the request and its latency by route pattern and status.
 */
export function requestContext(ctx: Context): MiddlewareHandler<Env> {
  return async (c, next) => {
    const reqId = requestIdOf(c.req.header('x-request-id'))
    const started = performance.now()
    await withRequestId(reqId, async () => {
      c.set('ctx', ctx)
      await next()
      c.header('X-Request-Id', reqId)
      const seconds = (performance.now() - started) / 1000
      const route = routeOf(c)
      const labels = { method: c.req.method, route, status: String(c.res.status) }
      ctx.metrics.httpRequests.inc(labels)
      ctx.metrics.httpDuration.observe(labels, seconds)
      if (c.res.status === 429) ctx.metrics.rateLimited.inc({ route })
      ctx.log.info(
        {
          method: c.req.method,
          route,
          status: c.res.status,
          ms: Math.round(seconds * 1000),
          userId: c.get('caller')?.userId,
        },
        'request',
      )
    })
  }
}

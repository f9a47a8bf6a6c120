import { ErrorBody } from '@suportra/protocol'
import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type * as z from 'zod/mini'
import type { Context } from '../context.js'
import { DomainError } from '../errors.js'
import { checksResponses, type Mismatch, mismatchOf, plainMismatch, shapeOf } from '../protocol-check.js'
import type { Env } from './env.js'
import { errorBody } from './error-response.js'
import { RESPONSE_SCHEMAS } from './response-schemas.js'

/**
 * In development and tests (`checksResponses`), checks every response against the protocol, as a
 * Fastify route checks its declared response schema: a 2xx body against its route's schema
 * (`RESPONSE_SCHEMAS`), a 4xx/5xx body against `ErrorBody`. A response that does not match is
 * logged (route, issues and the body's shape, never its values) and replaced by a 500 `server`
 * error naming the route and the issues: the test that caused it fails on its status or body, where
 * a log line alone (tests log nothing by default) would go unseen. Off, it is a bare `next()`.
 * Register it before the routes and after the request log, so the log shows the 500.
 */
export function responseCheck(ctx: Context): MiddlewareHandler<Env> {
  if (!checksResponses(ctx.config)) return (_c, next) => next()
  return async (c, next) => {
    await next()
    const matched = matchedRoutes(c)[c.req.routeIndex]
    // Middleware (`ALL`) answers — CORS preflights, the 404 fallback — belong to no route.
    const route = matched && matched.method !== 'ALL' ? `${matched.method} ${matched.path}` : undefined
    const expected = expectationOf(c.res, route)
    if (expected === undefined) return
    let mismatch: (Mismatch & { shape?: unknown }) | undefined = expected.mismatch
    if (expected.schema) {
      // Read once and put back: a clone (a tee of the body stream) costs ten times more.
      const response = c.res
      const text = await response.text()
      c.res = undefined // (so that hono does not merge the old headers into the new response)
      c.res = new Response(text, response)
      mismatch = bodyMismatch(expected.schema, text)
    }
    if (!mismatch) return
    const where = route ?? `${c.req.method} ${c.req.path}`
    ctx.log.error(
      { route: where, status: c.res.status, issues: mismatch.issues, shape: mismatch.shape },
      'response does not match the protocol',
    )
    const message = `Response does not match the protocol: ${where}: ${mismatch.summary}`
    c.res = undefined // (the wrong response's headers, a Content-Disposition say, must not carry over)
    c.res = c.json(errorBody(new DomainError('server', message)), 500)
  }
}

/** What `response` must hold for `route`: a schema for its body, a mismatch already, or nothing to check. */
function expectationOf(
  response: Response,
  route: string | undefined,
): { schema?: z.ZodMiniType; mismatch?: Mismatch } | undefined {
  const { status } = response
  const expected = route === undefined ? undefined : RESPONSE_SCHEMAS[route]
  const json = /^application\/json\b/i.test(response.headers.get('content-type') ?? '')
  const exempt = expected !== undefined && 'exempt' in expected
  let schema: z.ZodMiniType
  if (status >= 400) {
    if (exempt && !json) return undefined
    schema = ErrorBody
  } else if (status >= 200 && status < 300) {
    if (exempt || route === undefined) return undefined
    if (expected === undefined)
      return { mismatch: plainMismatch('no response schema for this route (RESPONSE_SCHEMAS)') }
    schema = expected
  } else return undefined
  if (!json)
    return { mismatch: plainMismatch(`the body is not JSON (${response.headers.get('content-type')})`) }
  return { schema }
}

function bodyMismatch(schema: z.ZodMiniType, text: string): (Mismatch & { shape: unknown }) | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ...plainMismatch('the body is not valid JSON'), shape: 'string' }
  }
  const mismatch = mismatchOf(schema, value)
  return mismatch && { ...mismatch, shape: shapeOf(value) }
}

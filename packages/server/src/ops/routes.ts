import { timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { Hono } from 'hono'
import type { Context } from '../context.js'
import { DomainError } from '../errors.js'
import type { Env } from '../http/env.js'
import { readiness } from './ready.js'

/**
 * `GET /ready`: 200 `{ ok: true, checks }` when every check passes, else 503 with the failing ones
 * in `error.details.checks`. `GET /metrics`: the Prometheus text format, only with
 * `Authorization: Bearer <SUPORTRA_METRICS_TOKEN>`; without a token configured it does not exist
 * here (a metrics port may serve it instead, see `serveMetricsPort`).
 */
export const opsRoutes = new Hono<Env>()
  .get('/ready', async (c) => {
    const ctx = c.get('ctx')
    const { ok, checks } = await readiness(ctx, ctx.requests.closing)
    c.header('Cache-Control', 'no-store')
    if (ok) return c.json({ ok: true as const, checks })
    const failing = Object.entries(checks).filter(([, v]) => v !== 'ok')
    throw new DomainError('server', `Not ready: ${failing.map(([k, v]) => `${k}: ${v}`).join('; ')}`, {
      kind: 'unavailable',
      details: { checks },
    })
  })
  .get('/metrics', async (c) => {
    const ctx = c.get('ctx')
    const token = ctx.config.metrics.token
    if (!token) throw new DomainError('not_found', 'No route for GET /metrics (set SUPORTRA_METRICS_TOKEN)')
    const given = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? ''
    if (!sameSecret(given, token)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"')
      throw new DomainError('unauthorized', 'Send the metrics token: Authorization: Bearer <token>')
    }
    const { registry } = ctx.metrics
    return c.body(await registry.metrics(), 200, {
      'Content-Type': registry.contentType,
      'Cache-Control': 'no-store',
    })
  })

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * The metrics on a port of their own (`SUPORTRA_METRICS_PORT`), without a token: for a scraper on
 * a private network, with the port kept off the public one. Answers `GET /metrics` only.
 */
export async function serveMetricsPort(ctx: Context, port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: GET /metrics\n')
      return
    }
    ctx.metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'Content-Type': ctx.metrics.registry.contentType }).end(text),
      (error) => {
        ctx.log.error({ err: error }, 'metrics scrape failed')
        response.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics failed\n')
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return server
}

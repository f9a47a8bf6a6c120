import { request } from 'node:http'
import type { Writable } from 'node:stream'
import {
  api,
  createTestDatabase,
  createUser,
  DEMO,
  openSocket,
  signIn,
  startProxy,
  startTestServer,
  type TestServer,
  testDialect,
} from '@suportra/server/testing'
import { sql } from 'kysely'
import { afterEach, describe, expect, test } from 'vitest'
import { createLogger } from '../src/log.js'

// Operating the server (issue 23): readiness, metrics, request ids.

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function started(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer(options)
  cleanup.push(() => server.close())
  return server
}

describe('/ready', () => {
  test('200 with every check when the database answers and every migration is applied; /health stays static', async () => {
    const server = await started()
    const ready = await api(server.url, 'GET', '/ready')
    expect(ready.status).toBe(200)
    expect(ready.body).toEqual({ ok: true, checks: { database: 'ok', migrations: 'ok', realtime: 'ok' } })
    expect((await api(server.url, 'GET', '/health')).body).toEqual({ ok: true })
  })

  test('503 naming the migration that is not applied', async () => {
    const server = await started()
    await sql`delete from kysely_migration where name = '0004_accounts'`.execute(
      server.current.context.store.db,
    )
    const ready = await api(server.url, 'GET', '/ready')
    expect(ready.status).toBe(503)
    expect(ready.body.error.code).toBe('server')
    expect(ready.body.error.details.checks).toEqual({
      database: 'ok',
      migrations: 'not applied: 0004_accounts',
      realtime: 'ok',
    })
  })

  test.skipIf(testDialect() !== 'postgres')(
    'PostgreSQL unreachable: 503 naming the database and the LISTEN connection, 200 again once it is back; /health answers throughout',
    async () => {
      // The server reaches PostgreSQL through a TCP proxy the test can cut, as a network partition would.
      const database = await createTestDatabase()
      cleanup.push(database.drop)
      const target = new URL(database.url)
      const ports = [Number(target.port)]
      const proxy = await startProxy(ports)
      cleanup.push(() => proxy.close())
      const viaProxy = new URL(database.url)
      viaProxy.port = new URL(proxy.url).port
      const server = await started({ db: viaProxy.toString() })
      expect((await api(server.url, 'GET', '/ready')).status).toBe(200)

      ports.length = 0 // new connections are refused…
      proxy.cut() // …and the open ones (the pool's, the LISTEN connection) die
      const down = await api(server.url, 'GET', '/ready')
      expect(down.status).toBe(503)
      expect(down.body.error.details.checks.database).toMatch(/^failed|no answer/)
      expect(down.body.error.details.checks.realtime).toBe('the LISTEN connection to PostgreSQL is down')
      expect((await api(server.url, 'GET', '/health')).status).toBe(200)

      ports.push(Number(target.port))
      await expect
        .poll(async () => (await api(server.url, 'GET', '/ready')).status, { timeout: 15_000, interval: 250 })
        .toBe(200)
    },
  )
})

describe('/metrics', () => {
  test('off without a token: 404', async () => {
    const server = await started()
    expect((await api(server.url, 'GET', '/metrics')).status).toBe(404)
  })

  test('refuses a missing or wrong token; with it, its counters move with a real session', async () => {
    const server = await started({ metrics: { token: 'metrics-token-1' } })
    expect((await api(server.url, 'GET', '/metrics')).status).toBe(401)
    const wrong = await api(server.url, 'GET', '/metrics', {
      headers: { authorization: 'Bearer metrics-token-2' },
    })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/)

    const scrape = async () => {
      const result = await api(server.url, 'GET', '/metrics', {
        headers: { authorization: 'Bearer metrics-token-1' },
      })
      expect(result.status).toBe(200)
      expect(result.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
      return String(result.body)
    }
    const value = (text: string, series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `))
      return line ? Number(line.slice(series.length + 1)) : 0
    }
    const before = await scrape()

    // A real session: a user starts it, waits on a socket, a builder claims it, both write.
    const user = await createUser(server, { credits: 2 })
    const grace = await signIn(server.url, DEMO.builder.email)
    const socket = await openSocket(server.url, user.accessToken)
    cleanup.push(() => socket.close())
    const start = await api(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'cursor', topic: 'Metrics please' },
    })
    expect(start.status).toBe(201)
    const id = start.body.session.id
    const during = await scrape()
    expect(value(during, 'suportra_queue_length{tool="cursor"}')).toBeGreaterThanOrEqual(1)
    expect(value(during, 'suportra_sockets_open{role="user"}')).toBe(1)
    expect(
      (await api(server.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: grace.accessToken }))
        .status,
    ).toBe(200)
    for (const [token, text] of [
      [user.accessToken, 'hello'],
      [grace.accessToken, 'hi'],
      [user.accessToken, 'thanks'],
    ] as const) {
      const sent = await api(server.url, 'POST', `/v1/sessions/${id}/messages`, {
        token,
        body: { id: crypto.randomUUID(), text },
      })
      expect(sent.status).toBe(201)
    }
    const after = await scrape()

    const moved = (series: string) => value(after, series) - value(before, series)
    expect(moved('suportra_holds_total{outcome="placed"}')).toBe(1)
    expect(moved('suportra_holds_total{outcome="captured"}')).toBe(1)
    expect(moved('suportra_messages_sent_total{author="user"}')).toBe(2)
    expect(moved('suportra_messages_sent_total{author="builder"}')).toBe(1)
    expect(moved('suportra_queue_wait_seconds_count{tool="cursor"}')).toBe(1)
    // By route pattern, never the raw path (no session id in a label).
    expect(
      moved('suportra_http_requests_total{method="POST",route="/v1/sessions/:id/messages",status="201"}'),
    ).toBe(3)
    expect(after).not.toContain(id)
    expect(
      value(
        after,
        'suportra_http_request_duration_seconds_count{method="POST",route="/v1/sessions",status="201"}',
      ),
    ).toBe(1)
    expect(after).toMatch(/^suportra_nodejs_eventloop_lag_seconds \d/m)
    expect(value(after, 'suportra_queue_length{tool="cursor"}')).toBe(0)
  })

  test('on a metrics port of its own, without a token and off the API port', async () => {
    const server = await started({ metrics: { port: 0 } })
    const { metricsUrl } = server.current
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const response = await fetch(`${metricsUrl}/metrics`)
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('suportra_http_requests_total')
    expect((await fetch(`${metricsUrl}/ready`)).status).toBe(404)
    expect((await api(server.url, 'GET', '/metrics')).status).toBe(404)
  })
})

describe('request ids', () => {
  test('an X-Request-Id sent in comes back and is on every log line of that request, and only of it', async () => {
    const lines: Record<string, unknown>[] = []
    const destination = { write: (line: string) => lines.push(JSON.parse(line)) } as unknown as Writable
    const server = await started({ logger: createLogger('info', destination) })
    const reqId = 'lb-7f3a.91:req_0042'
    const [signedIn] = await Promise.all([
      api(server.url, 'POST', '/v1/auth/sign-in', {
        app: DEMO.appId,
        headers: { 'x-request-id': reqId },
        body: { email: DEMO.user.email, password: DEMO.user.password },
      }),
      // Another request at the same moment must not take the id.
      api(server.url, 'POST', '/v1/auth/sign-in', {
        app: DEMO.appId,
        body: { email: DEMO.builder.email, password: DEMO.builder.password },
      }),
    ])
    expect(signedIn.status).toBe(200)
    expect(signedIn.headers.get('x-request-id')).toBe(reqId)
    const ours = lines.filter((l) => l.reqId === reqId)
    expect(ours.map((l) => l.msg)).toEqual(['user signed in', 'request'])
    expect(ours[1]).toMatchObject({ level: 30, method: 'POST', route: '/v1/auth/sign-in', status: 200 })
    // The other sign-in has its own generated id on both of its lines.
    const other = lines.find((l) => l.msg === 'user signed in' && l.reqId !== reqId)
    expect(other?.reqId).toMatch(/^[0-9a-f-]{36}$/)
    expect(lines.filter((l) => l.reqId === other?.reqId)).toHaveLength(2)
  })

  test('an unsafe or oversized X-Request-Id is replaced by a generated one', async () => {
    const server = await started()
    for (const bad of ['a b', 'x'.repeat(129), 'id"quote', 'é', '']) {
      const result = await api(server.url, 'GET', '/health', { headers: { 'x-request-id': bad } })
      expect(result.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    }
    const errorResult = await api(server.url, 'GET', '/no-such-route', {
      headers: { 'x-request-id': 'ok-1' },
    })
    expect(errorResult.status).toBe(404)
    expect(errorResult.headers.get('x-request-id')).toBe('ok-1')
  })
})

describe('graceful shutdown', () => {
  test('a request under way when shutdown begins still finishes; sockets close with 1012; new connections are refused', async () => {
    const server = await startTestServer()
    let closed = false
    cleanup.push(() => (closed ? undefined : server.close()))
    const user = await createUser(server, { credits: 1 })
    const socket = await openSocket(server.url, user.accessToken)
    const start = await api(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'cursor', topic: 'Upload while it stops' },
    })
    const { port } = new URL(server.url)
    // An upload whose body is still arriving when the shutdown begins.
    const half = Buffer.alloc(64 * 1024, 7)
    const upload = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/v1/sessions/${start.body.session.id}/attachments?name=slow.bin`,
      headers: {
        authorization: `Bearer ${user.accessToken}`,
        'content-type': 'application/octet-stream',
        'content-length': String(half.length * 2),
      },
    })
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      upload.on('response', (response) => {
        let body = ''
        response.on('data', (chunk) => {
          body += chunk
        })
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
      })
      upload.on('error', reject)
    })
    upload.write(half)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const closing = server.current.close().then(() => {
      closed = true
    })
    expect(await socket.closed).toBe(1012)
    await expect(fetch(`${server.url}/health`)).rejects.toThrow()
    upload.end(half)
    const result = await answered
    expect(result.status).toBe(201)
    expect(JSON.parse(result.body).attachment.size).toBe(half.length * 2)
    await closing
  })
})

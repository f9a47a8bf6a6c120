import { CLOSE_CODES } from '@suportra/protocol'
import {
  type ApiResult,
  api,
  createUser,
  DEMO,
  openSocket,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterEach, describe, expect, test } from 'vitest'
import WebSocket from 'ws'

// Behind a proxy (`trustProxy`), every per-IP defence counts the address the proxy saw, never one
// the client wrote. nginx's `$proxy_add_x_forwarded_for` and AWS's load balancer append the address
// they received the request from to whatever X-Forwarded-For the client sent: the right-most entry
// is theirs, the left-most the client's own writing.

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

let n = 0
/** An address the attacker makes up for each request. */
const madeUp = () => `198.51.100.${++n % 250}`

const guess = (headers: Record<string, string>, password = 'wrong-guess') =>
  api(server?.url ?? '', 'POST', '/v1/auth/sign-in', {
    app: DEMO.appId,
    headers,
    body: { email: DEMO.user.email, password },
  })

const statusesOf = (results: ApiResult[]) => results.map((r) => r.status)

async function guesses(count: number, headers: () => Record<string, string>) {
  const results: ApiResult[] = []
  for (let i = 0; i < count; i++) results.push(await guess(headers()))
  return statusesOf(results)
}

describe('HTTP: the failed sign-in limit behind a proxy', () => {
  const limits = { auth: { points: 10_000, duration: 60 }, signInFailures: { points: 3, duration: 900 } }

  test("one proxy (trustProxy: true): a made-up address in front of the proxy's entry changes nothing", async () => {
    server = await startTestServer({ trustProxy: true, rateLimits: limits })
    // What nginx forwards: the client's header, then the address nginx saw.
    const seen = await guesses(5, () => ({ 'x-forwarded-for': `${madeUp()}, 203.0.113.9` }))
    expect(seen).toEqual([401, 401, 401, 429, 429])
    // Another real client behind the same proxy is not counted with the guesser.
    expect((await guess({ 'x-forwarded-for': '203.0.113.10' }, DEMO.user.password)).status).toBe(200)
  })

  test("two proxies (trustProxy: 2, a CDN then a load balancer): the CDN's entry counts", async () => {
    server = await startTestServer({ trustProxy: 2, rateLimits: limits })
    const seen = await guesses(5, () => ({ 'x-forwarded-for': `${madeUp()}, 203.0.113.20, 10.0.0.2` }))
    expect(seen).toEqual([401, 401, 401, 429, 429])
    // The same made-up address, but the CDN saw someone else: a different client.
    expect(
      (await guess({ 'x-forwarded-for': '198.51.100.1, 203.0.113.21, 10.0.0.2' }, DEMO.user.password)).status,
    ).toBe(200)
  })

  test('repeated X-Forwarded-For headers are read as one list', async () => {
    server = await startTestServer({ trustProxy: true, rateLimits: limits })
    const results: number[] = []
    for (let i = 0; i < 5; i++) {
      // Two header lines: the client's, then the proxy's (fetch joins them as `a, b`, as Node does).
      const headers = new Headers()
      headers.append('x-forwarded-for', madeUp())
      headers.append('x-forwarded-for', '203.0.113.30')
      results.push((await guess(Object.fromEntries(headers))).status)
    }
    expect(results).toEqual([401, 401, 401, 429, 429])
  })

  test('without trustProxy the header is ignored: every request counts as the TCP peer', async () => {
    server = await startTestServer({ rateLimits: limits })
    const seen = await guesses(4, () => ({ 'x-forwarded-for': madeUp() }))
    expect(seen).toEqual([401, 401, 401, 429])
  })
})

describe('WebSocket: the socket caps behind a proxy', () => {
  /** Opens a socket that does not authenticate (yet). A refused one opens too, then gets 4029. */
  async function idleSocket(url: string, forwarded: string) {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/realtime`, {
      headers: { 'x-forwarded-for': forwarded },
    })
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
    ws.on('error', () => {})
    await new Promise((resolve) => ws.once('open', resolve))
    return { ws, closed }
  }

  test("unauthenticated sockets per IP: a made-up address in front of the proxy's entry changes nothing", async () => {
    server = await startTestServer({ trustProxy: true, unauthenticatedSocketsPerIp: 3 })
    const sockets = []
    for (let i = 0; i < 4; i++) sockets.push(await idleSocket(server.url, `${madeUp()}, 203.0.113.40`))
    // The fourth is refused right after its handshake (on the code that took the left-most entry it
    // waited for the auth timeout instead: 4008).
    expect(await sockets[3]?.closed).toBe(CLOSE_CODES.rateLimited)
    expect(sockets.slice(0, 3).map((s) => s.ws.readyState)).toEqual([
      WebSocket.OPEN,
      WebSocket.OPEN,
      WebSocket.OPEN,
    ])
    // Another client behind the same proxy still gets in and signs in.
    const user = await createUser(server)
    const other = await openSocket(server.url, user.accessToken, {
      headers: { 'x-forwarded-for': '203.0.113.41' },
    })
    other.close()
    for (const { ws } of sockets) ws.terminate()
  })

  test('two proxies: the entry the outer one wrote counts', async () => {
    server = await startTestServer({ trustProxy: 2, unauthenticatedSocketsPerIp: 2 })
    const sockets = []
    for (let i = 0; i < 3; i++)
      sockets.push(await idleSocket(server.url, `${madeUp()}, 203.0.113.50, 10.0.0.2`))
    expect(await sockets[2]?.closed).toBe(CLOSE_CODES.rateLimited)
    expect(sockets.slice(0, 2).map((s) => s.ws.readyState)).toEqual([WebSocket.OPEN, WebSocket.OPEN])
    for (const { ws } of sockets) ws.terminate()
  })
})

// A thin HTTP and realtime driver for the benchmarks: plain node:http with keep-alive (cheaper
// than fetch, so the load generator takes less of the machine) and raw `ws` sockets.
import { Agent, request } from 'node:http'
import WebSocket from 'ws'
import { signIdentity } from '../../examples/host-server.mjs'

// Idle sockets are dropped before the server's 5 s keep-alive timeout would close them under us.
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, timeout: 4000 })
export const DEMO_USER = { email: 'ada@example.com', password: 'demo-password' }
export const DEMO_BUILDER = { email: 'grace@example.com', password: 'demo-password' }
export const DEMO_IDENTITY_SECRET = 'demo-identity-secret'

/**
 * A JSON call; rejects on a non-2xx answer. A request on a reused keep-alive socket that the server
 * closed meanwhile is sent again once, on a new socket (what Node's docs advise).
 */
export function call(baseUrl, method, path, { token, body } = {}, retried = false) {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      {
        method,
        agent,
        headers: {
          'x-suportra-app': 'app_demo',
          ...(payload && {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          }),
          ...(token && { authorization: `Bearer ${token}` }),
        },
      },
      (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          const json = text ? JSON.parse(text) : undefined
          if (res.statusCode >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`))
          else resolve(json)
        })
      },
    )
    req.on('error', (error) => {
      if (!retried && req.reusedSocket && error.code === 'ECONNRESET')
        resolve(call(baseUrl, method, path, { token, body }, true))
      else reject(error)
    })
    req.end(payload)
  })
}

/** Runs `fn` over `items`, `size` at a time. */
export async function inBatches(items, size, fn) {
  const out = []
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))))
  return out
}

/** A realtime socket that has authenticated (the server answered `ready`). */
export function socket(baseUrl, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/realtime`, { perMessageDeflate: false })
    ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token })))
    ws.once('error', reject)
    ws.on('message', function ready(data) {
      if (JSON.parse(String(data)).type === 'ready') {
        ws.off('message', ready)
        resolve(ws)
      }
    })
  })
}

export const signIn = (baseUrl, who) => call(baseUrl, 'POST', '/v1/auth/sign-in', { body: who })

/**
 * `count` new vendor-identified users (`/v1/auth/identify` with an identity token signed with the
 * demo app's secret, as a vendor backend signs it): no password hashing, so setup stays quick.
 */
export function identifyUsers(server, count, tag) {
  return inBatches(
    Array.from({ length: count }, (_, i) => i),
    50,
    (i) =>
      call(server.url, 'POST', '/v1/auth/identify', {
        body: { token: signIdentity({ sub: `bench-${tag}-${i}`, name: `User ${i}` }, DEMO_IDENTITY_SECRET) },
      }),
  )
}

/**
 * `count` new users, each with one active session claimed by the demo builder. Returns the users'
 * tokens and ids, the session ids, and the builder's sign-in.
 */
export async function activeSessions(server, count, tag) {
  const builder = await signIn(server.url, DEMO_BUILDER)
  const users = await identifyUsers(server, count, tag)
  await server.request('grant', { userIds: users.map((u) => u.user.id) })
  const sessionIds = await inBatches(
    users,
    50,
    async (u) =>
      (
        await call(server.url, 'POST', '/v1/sessions', {
          token: u.accessToken,
          body: { tool: 'cursor', topic: `bench ${tag}` },
        })
      ).session.id,
  )
  await inBatches(sessionIds, 50, (id) =>
    call(server.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: builder.accessToken }),
  )
  return {
    builder,
    users: users.map((u, i) => ({ token: u.accessToken, id: u.user.id, sessionId: sessionIds[i] })),
  }
}

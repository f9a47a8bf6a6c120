// Server request rate: how many HTTP requests a second one server process answers, per kind of
// request, measured with autocannon (closed loop: CONNECTIONS keep-alive connections, each sending
// its next request when the previous is answered) for SECONDS per run. The server is bench/serve.mjs
// in its own process (SQLite file, demo seed, rate limits raised); the user's and the builder's
// realtime sockets are open, so every send is also fanned out to them as in real use.
//
//   health     GET  /health                          the HTTP stack alone (no auth, no database)
//   balance    GET  /v1/credits                      an authenticated read (JWT, one ledger sum)
//   history    GET  /v1/sessions/:id/messages        an authenticated page of 50 stored messages
//   send       POST /v1/sessions/:id/messages        a new message (unique id): transaction + fan-out
//
// Every run must answer every request with a 2xx; any error or other status fails the benchmark.
// Usage: node bench/requests.mjs [--runs 3]   (prints JSON)
import autocannon from 'autocannon'
import { activeSessions, socket } from './lib/api.mjs'
import { startChild } from './lib/child.mjs'
import { figures } from './lib/stats.mjs'

export const CONNECTIONS = 20
export const SECONDS = 5
const HISTORY = 200

const log = (...args) => console.error('[requests]', ...args)

/** One autocannon run; rejects if a single request failed or was not a 2xx. */
async function measure(url, request) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests: [request] })
  const failed = result.errors + result.timeouts + result.non2xx
  if (failed)
    throw new Error(`${request.method} ${request.path}: ${failed} of ${result.requests.total} failed`)
  return { rate: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 }
}

export async function measureRequests({ runs = 3 } = {}) {
  const server = await startChild(new URL('./serve.mjs', import.meta.url))
  try {
    const { builder, users } = await activeSessions(server, 1, `requests-${Date.now()}`)
    const [user] = users
    await server.request('seed', {
      sessionId: user.sessionId,
      count: HISTORY,
      userId: user.id,
      builderId: builder.user.id,
    })
    const sockets = [await socket(server.url, user.token), await socket(server.url, builder.accessToken)]
    const headers = { 'x-suportra-app': 'app_demo', authorization: `Bearer ${user.token}` }
    const messages = `/v1/sessions/${user.sessionId}/messages`
    let sent = 0
    const kinds = {
      health: { method: 'GET', path: '/health' },
      balance: { method: 'GET', path: '/v1/credits', headers },
      history: { method: 'GET', path: `${messages}?limit=50`, headers },
      send: {
        method: 'POST',
        path: messages,
        headers: { ...headers, 'content-type': 'application/json' },
        // A fresh client id per request: a repeated id would be answered from the idempotency record.
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ id: `bench-rq-${++sent}`, text: `request-rate message ${sent}` }),
        }),
      },
    }
    const raw = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, []]))
    // One untimed second of each first, so the timed runs do not measure a cold process.
    for (const request of Object.values(kinds))
      await autocannon({ url: server.url, connections: CONNECTIONS, duration: 1, requests: [request] })
    for (let round = 0; round < runs; round++)
      for (const [kind, request] of Object.entries(kinds)) {
        const run = await measure(server.url, request)
        raw[kind].push(run)
        log(
          `round ${round + 1}/${runs} ${kind}: ${Math.round(run.rate)} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms`,
        )
      }
    for (const ws of sockets) ws.close()
    const results = Object.fromEntries(
      Object.entries(raw).map(([kind, runsOfKind]) => [
        kind,
        {
          method: kinds[kind].method,
          path: kinds[kind].path.replace(user.sessionId, ':id'),
          ...figures(runsOfKind, { rate: 'req/s', p50: 'ms', p99: 'ms' }),
        },
      ]),
    )
    return { connections: CONNECTIONS, seconds: SECONDS, history: HISTORY, results }
  } finally {
    await server.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  const runsAt = args.indexOf('--runs')
  console.log(
    JSON.stringify(await measureRequests({ runs: runsAt === -1 ? 3 : Number(args[runsAt + 1]) }), null, 2),
  )
}

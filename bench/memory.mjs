// Memory: the client's heap holding 10,000 messages (Node, after GC; memory-client.mjs in a fresh
// process per run), and the server's RSS with 1,000 connected, authenticated realtime clients,
// beside the plain `ws` ceiling server holding the same number of sockets (fresh processes per run).
// Usage: node bench/memory.mjs [--runs 3]   (prints JSON)
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { call, DEMO_BUILDER, identifyUsers, inBatches, signIn, socket } from './lib/api.mjs'
import { startChild } from './lib/child.mjs'
import { figure, figures } from './lib/stats.mjs'

export const MESSAGES = 10_000
export const CLIENTS = 1000
const log = (...args) => console.error('[memory]', ...args)
const run = promisify(execFile)

async function clientHeap(runs) {
  const server = await startChild(new URL('./serve.mjs', import.meta.url))
  try {
    const email = `memory-${Date.now()}@example.com`
    const user = await call(server.url, 'POST', '/v1/auth/sign-up', {
      body: { name: 'Memory', email, password: 'demo-password', ageConfirmed: true },
    })
    await server.request('grant', { userIds: [user.user.id] })
    const { session } = await call(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'cursor', topic: 'memory' },
    })
    const builder = await signIn(server.url, DEMO_BUILDER)
    const claimed = await call(server.url, 'POST', `/v1/builder/sessions/${session.id}/claim`, {
      token: builder.accessToken,
    })
    await server.request('seed', {
      sessionId: session.id,
      count: MESSAGES - claimed.session.lastSeq,
      userId: user.user.id,
      builderId: builder.user.id,
    })
    const results = []
    for (let i = 0; i < runs; i++) {
      const { stdout } = await run(process.execPath, [
        '--expose-gc',
        new URL('./memory-client.mjs', import.meta.url).pathname,
        server.url,
        email,
        session.id,
      ])
      results.push(JSON.parse(stdout))
      log(`client heap run ${i + 1}/${runs}: ${(results.at(-1).clientWithAll / 1e6).toFixed(1)} MB`)
    }
    return {
      messages: results[0].messages,
      jsonBytes: results[0].jsonBytes / 1e6,
      withNewestPage: figure(
        results.map((r) => r.clientWithNewestPage / 1e6),
        'MB',
      ),
      withAll: figure(
        results.map((r) => r.clientWithAll / 1e6),
        'MB',
      ),
      perMessage: figure(
        results.map((r) => r.perMessage),
        'B',
      ),
    }
  } finally {
    await server.close()
  }
}

/**
 * Starts `script` and measures it idle, once the users exist (signed in over HTTP), and with
 * `CLIENTS` authenticated sockets; per client = growth over idle (each client's sign-in included).
 */
async function serverRss(script, tokens) {
  const server = await startChild(new URL(script, import.meta.url), { execArgv: ['--expose-gc'] })
  const sockets = []
  try {
    const idle = await server.request('memory')
    const list = await tokens(server)
    const prepared = await server.request('memory')
    sockets.push(...(await inBatches(list, 100, (token) => socket(server.url, token))))
    const { sockets: connected } = await server.request('sockets')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const busy = await server.request('memory')
    return { idle: idle.rss, prepared: prepared.rss, connected, rss: busy.rss, heap: busy.heapUsed }
  } finally {
    for (const ws of sockets) ws.terminate()
    await server.close()
  }
}

/** Vendor-identified users (as the widget's `identify` signs them in): no password hashing. */
async function identifiedUsers(server) {
  return (await identifyUsers(server, CLIENTS, `mem-${Date.now()}`)).map((u) => u.accessToken)
}

export async function measureMemory({ runs = 3 } = {}) {
  const client = await clientHeap(runs)
  const raw = { ours: [], ceiling: [] }
  for (let i = 0; i < runs; i++) {
    raw.ours.push(await serverRss('./serve.mjs', identifiedUsers))
    raw.ceiling.push(
      await serverRss('./ceiling.mjs', async () => Array.from({ length: CLIENTS }, (_, j) => `u${j}`)),
    )
    log(
      `server RSS run ${i + 1}/${runs}: ours ${(raw.ours.at(-1).rss / 1e6).toFixed(0)} MB`,
      `(idle ${(raw.ours.at(-1).idle / 1e6).toFixed(0)} MB, ${raw.ours.at(-1).connected} sockets);`,
      `ceiling ${(raw.ceiling.at(-1).rss / 1e6).toFixed(0)} MB (idle ${(raw.ceiling.at(-1).idle / 1e6).toFixed(0)} MB)`,
    )
  }
  const server = (rows) => ({
    connected: Math.min(...rows.map((r) => r.connected)),
    ...figures(rows, { idle: 'MB', prepared: 'MB', rss: 'MB' }, 1e6),
    perClient: figure(
      rows.map((r) => (r.rss - r.idle) / CLIENTS / 1e3),
      'kB',
    ),
    heap: figure(
      rows.map((r) => r.heap / 1e6),
      'MB',
    ),
  })
  return { clients: CLIENTS, client, server: { ours: server(raw.ours), ceiling: server(raw.ceiling) } }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runsAt = process.argv.indexOf('--runs')
  const runs = runsAt === -1 ? 3 : Number(process.argv[runsAt + 1])
  console.log(JSON.stringify(await measureMemory({ runs }), null, 2))
}

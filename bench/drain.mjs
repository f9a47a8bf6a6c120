// Drain after an outage: a signed-in client (@suportra/client in Node, its real outbox and socket)
// writes 700 messages while the server is down; the server comes back on the same database and port;
// the figure is the time from the server listening again to the last of the 700 acknowledged. Then
// the transcript is read back: all 700, in the order written, none twice.
// Beside it, the same 700 through `POST /v1/sessions/{id}/messages/batch` in batches of 100 (what an
// outbox that drains through the batch endpoint sends), and each batch sent twice (a retry).
// Usage: node bench/drain.mjs [--runs 3] [--messages 700]   (prints JSON)
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createClient, memoryStorage } from '@suportra/client'
import WebSocket from 'ws'
import { signIdentity } from '../examples/host-server.mjs'
import { activeSessions, call, DEMO_IDENTITY_SECRET } from './lib/api.mjs'
import { startChild } from './lib/child.mjs'
import { figure } from './lib/stats.mjs'

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(name)
  return at === -1 ? fallback : Number(args[at + 1])
}
const RUNS = option('--runs', 3)
const MESSAGES = option('--messages', 700)
const BATCH = 100
const log = (...parts) => console.error('[drain]', ...parts)

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })

/** Every message of a session, oldest first (pages of 200). */
async function transcript(url, token, sessionId) {
  const all = []
  for (let after = 0; ; ) {
    const page = await call(url, 'GET', `/v1/sessions/${sessionId}/messages?after=${after}&limit=200`, {
      token,
    })
    all.push(...page.messages)
    if (!page.hasMore) return all
    after = page.messages.at(-1).seq
  }
}

/** Lost, doubled and out-of-order messages among `texts` in a stored transcript. */
function check(stored, texts) {
  const bodies = stored.filter((m) => m.kind === 'text').map((m) => m.body)
  const seen = new Set(bodies)
  return {
    lost: texts.filter((t) => !seen.has(t)).length,
    doubled: bodies.length - seen.size,
    inOrder: JSON.stringify(bodies.filter((b) => texts.includes(b))) === JSON.stringify(texts),
  }
}

async function round(index) {
  process.env.BENCH_DB = join(mkdtempSync(join(tmpdir(), 'suportra-drain-')), 'drain.db')
  process.env.BENCH_PORT = String(await freePort())
  let server = await startChild(new URL('./serve.mjs', import.meta.url))
  const tag = `drain-${index}-${Date.now()}`
  const setup = await activeSessions(server, 2, tag)
  const [user, batchUser] = setup.users

  const client = createClient({ baseUrl: server.url, appId: 'app_demo', storage: memoryStorage(), WebSocket })
  await client.auth.identify({
    token: signIdentity({ sub: `bench-${tag}-0`, name: 'User 0' }, DEMO_IDENTITY_SECRET),
  })
  const handle = client.sessions.get(user.sessionId)
  const stop = handle.$messages.listen(() => {})
  await handle.load()

  await server.close()
  const texts = Array.from({ length: MESSAGES }, (_, i) => `queued ${index}-${i}`)
  let firstAck
  const sends = texts.map((text) =>
    handle.send(text).then(() => {
      firstAck ??= performance.now()
    }),
  )
  await new Promise((resolve) => setTimeout(resolve, 1000))

  server = await startChild(new URL('./serve.mjs', import.meta.url))
  const back = performance.now()
  await Promise.all(sends)
  const drainMs = performance.now() - back
  // How long the client waited (its retry and reconnect backoff) before the first acknowledgement.
  const firstMs = firstAck - back

  // The batch endpoint alone: the same number of messages, BATCH at a time, each batch sent twice.
  const batchTexts = texts.map((t) => `${t} (batch)`)
  const batchStart = performance.now()
  for (let i = 0; i < MESSAGES; i += BATCH) {
    const messages = batchTexts.slice(i, i + BATCH).map((text, j) => ({ id: `b-${tag}-${i + j}`, text }))
    await call(server.url, 'POST', `/v1/sessions/${batchUser.sessionId}/messages/batch`, {
      token: batchUser.token,
      body: { messages },
    })
  }
  const batchMs = performance.now() - batchStart
  for (let i = 0; i < MESSAGES; i += BATCH) {
    const messages = batchTexts.slice(i, i + BATCH).map((text, j) => ({ id: `b-${tag}-${i + j}`, text }))
    await call(server.url, 'POST', `/v1/sessions/${batchUser.sessionId}/messages/batch`, {
      token: batchUser.token,
      body: { messages },
    })
  }

  const outbox = check(await transcript(server.url, user.token, user.sessionId), texts)
  const batch = check(await transcript(server.url, batchUser.token, batchUser.sessionId), batchTexts)
  stop()
  client.destroy()
  await server.close()
  log(
    `round ${index + 1}: outbox drain ${drainMs.toFixed(0)} ms (first ack after ${firstMs.toFixed(0)} ms), batch endpoint ${batchMs.toFixed(0)} ms`,
  )
  return { drainMs, firstMs, batchMs, outbox, batch }
}

const rounds = []
for (let i = 0; i < RUNS; i++) rounds.push(await round(i))
const problems = (key) => ({
  lost: rounds.reduce((n, r) => n + r[key].lost, 0),
  doubled: rounds.reduce((n, r) => n + r[key].doubled, 0),
  outOfOrder: rounds.filter((r) => !r[key].inOrder).length,
})
console.log(
  JSON.stringify(
    {
      messages: MESSAGES,
      batchSize: BATCH,
      runs: RUNS,
      drain: figure(
        rounds.map((r) => r.drainMs),
        'ms',
      ),
      firstAck: figure(
        rounds.map((r) => r.firstMs),
        'ms',
      ),
      batch: figure(
        rounds.map((r) => r.batchMs),
        'ms',
      ),
      outbox: problems('outbox'),
      batchChecks: problems('batch'),
    },
    null,
    2,
  ),
)
process.exit(0)

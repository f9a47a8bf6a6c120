// One instance versus two: realtime fan-out on PostgreSQL. The same measure as server.mjs (the time
// from a user's send to the builder's receipt over the builder's WebSocket, with N concurrent active
// sessions, and messages per second sustained), once with one server instance and once with two
// instances on one PostgreSQL database, each time behind the same round-robin TCP proxy (so the
// only difference is the instance count). With two, HTTP connections and sockets spread over both,
// and about half the messages reach the builder through the other instance (LISTEN/NOTIFY).
//
// Usage: node bench/instances.mjs [sessions ...] [--rounds=3]   (default: 100 1000; `pnpm build` first)
// It needs a PostgreSQL cluster: SUPORTRA_TEST_PG_URL (a fresh database is made per run), or it
// starts a throwaway one itself through scripts/with-postgres.mjs.
import { fork, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'

const self = fileURLToPath(import.meta.url)

const PER_SESSION = 10
const HEADERS = { 'x-suportra-app': 'app_demo', 'content-type': 'application/json' }
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
const inBatches = async (items, size, fn) => {
  const out = []
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))))
  return out
}

if (process.argv[2] === 'serve') await serve()
else if (!process.env.SUPORTRA_TEST_PG_URL) {
  const withPostgres = fileURLToPath(new URL('../scripts/with-postgres.mjs', import.meta.url))
  const args = [withPostgres, '--', process.execPath, self, ...process.argv.slice(2)]
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1)
} else await main()

/** A server instance in its own process (as serve.mjs: rate limits raised, cheap password hashing). */
async function serve() {
  const { startServer } = await import('@suportra/server')
  const { pino } = await import('pino')
  const unlimited = { points: 1e9, duration: 1 }
  const server = await startServer({
    port: 0,
    db: process.env.BENCH_DB,
    dataDir: process.env.BENCH_FILES,
    seed: 'demo',
    scryptCost: 2 ** 12,
    passwordHashing: { concurrent: 1e9, concurrentPerIp: 1e9 },
    rateLimits: { auth: unlimited, send: unlimited, typing: unlimited, signInFailures: unlimited },
    // Every socket comes through the proxy's one address (up to 1,000 of them at once).
    socketsPerIp: 1e9,
    unauthenticatedSocketsPerIp: 1e9,
    logger: pino({ level: 'silent' }),
  })
  process.on('message', async ({ grant }) => {
    const rows = grant.map((userId, i) => ({
      id: `txn_bench_${userId}`,
      user_id: userId,
      kind: 'grant',
      amount: 1,
      idempotency_key: `bench:${userId}:${i}`,
      reference: 'bench',
      created_at: Date.now(),
    }))
    await server.context.store.db.insertInto('ledger').values(rows).execute()
    process.send({ granted: rows.length })
  })
  process.send({ url: server.url })
  process.on('SIGINT', async () => {
    await server.close()
    process.exit(0)
  })
}

async function main() {
  const { createTestDatabase, startProxy } = await import('@suportra/server/testing')
  const args = process.argv.slice(2)
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 3)
  const sizes = args.map(Number).filter(Boolean)
  const runs = []
  // One and two instances alternate, round after round, so a slow spell of a shared machine hits
  // both alike; each figure is the median of the rounds.
  for (const sessions of sizes.length ? sizes : [100, 1000]) {
    for (let round = 0; round < rounds; round++) {
      for (const instances of [1, 2]) {
        const database = await createTestDatabase()
        const files = mkdtempSync(join(tmpdir(), 'suportra-bench-files-'))
        const children = []
        try {
          for (let i = 0; i < instances; i++) children.push(await startRetrying(database.url, files))
          const proxy = await startProxy(children.map((c) => Number(new URL(c.url).port)))
          try {
            runs.push({ instances, ...(await fanOut(proxy.url, children[0], sessions)) })
            console.error(JSON.stringify(runs.at(-1)))
          } finally {
            await proxy.close()
          }
        } finally {
          await Promise.all(children.map((c) => c.stop()))
          await database.drop()
          rmSync(files, { recursive: true, force: true })
        }
      }
    }
  }
  const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]
  const summaries = []
  for (const key of new Set(runs.map((r) => `${r.sessions}:${r.instances}`))) {
    const same = runs.filter((r) => `${r.sessions}:${r.instances}` === key)
    const summary = { ...same[0] }
    for (const field of ['send→receipt p50 ms', 'send→receipt p99 ms', 'messages/s']) {
      const values = same.map((r) => r[field])
      summary[field] = median(values)
      summary[`${field} (min–max)`] = `${Math.min(...values)}–${Math.max(...values)}`
    }
    summaries.push(summary)
  }
  console.log(
    JSON.stringify(
      { database: 'PostgreSQL', behind: 'round-robin TCP proxy on loopback', rounds, fanOut: summaries },
      null,
      2,
    ),
  )
}

/** A `pnpm build` running at the same moment (it empties dist/) can fail a start: try again. */
async function startRetrying(db, files) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(db, files)
    } catch (error) {
      if (attempt === 3) throw error
      await new Promise((resolve) => setTimeout(resolve, 10_000))
    }
  }
}

async function start(db, files) {
  const child = fork(self, ['serve'], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_DB: db, BENCH_FILES: files },
  })
  const { url } = await new Promise((resolve, reject) => {
    child.once('message', resolve)
    child.once('exit', (code) => reject(new Error(`a server instance exited with ${code} before listening`)))
  })
  return {
    url,
    request: (message) => {
      const reply = new Promise((resolve) => child.once('message', resolve))
      child.send(message)
      return reply
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGINT')
      }),
  }
}

async function fanOut(url, instance, sessions) {
  const call = async (method, path, { token, body } = {}) => {
    const response = await fetch(url + path, {
      method,
      headers: { ...HEADERS, ...(token && { authorization: `Bearer ${token}` }) },
      ...(body && { body: JSON.stringify(body) }),
    })
    const json = await response.json()
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
    return json
  }
  const socket = (token) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/realtime`)
      ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token })))
      ws.once('error', reject)
      ws.on('message', function ready(data) {
        if (JSON.parse(String(data)).type === 'ready') {
          ws.off('message', ready)
          resolve(ws)
        }
      })
    })

  const builder = await call('POST', '/v1/auth/sign-in', {
    body: { email: 'grace@example.com', password: 'demo-password' },
  })
  const run = Date.now()
  const users = await inBatches(
    Array.from({ length: sessions }, (_, i) => i),
    50,
    (i) =>
      call('POST', '/v1/auth/sign-up', {
        body: {
          name: `User ${i}`,
          email: `bench-${run}-${i}@example.com`,
          password: 'demo-password',
          ageConfirmed: true,
        },
      }),
  )
  await instance.request({ grant: users.map((u) => u.user.id) })
  const ids = await inBatches(
    users,
    50,
    async (u) =>
      (await call('POST', '/v1/sessions', { token: u.accessToken, body: { tool: 'cursor', topic: 'bench' } }))
        .session.id,
  )
  await inBatches(ids, 50, (id) =>
    call('POST', `/v1/builder/sessions/${id}/claim`, { token: builder.accessToken }),
  )
  const userSockets = await inBatches(users, 100, (u) => socket(u.accessToken))
  const builderSocket = await socket(builder.accessToken)

  const sentAt = new Map()
  const latencies = []
  const total = sessions * PER_SESSION
  const done = new Promise((resolve) => {
    builderSocket.on('message', (data) => {
      const event = JSON.parse(String(data))
      if (event.type !== 'message' || !sentAt.has(event.message.clientId)) return
      latencies.push(performance.now() - sentAt.get(event.message.clientId))
      if (latencies.length === total) resolve()
    })
  })
  const started = performance.now()
  await Promise.all(
    users.map(async (user, s) => {
      for (let m = 0; m < PER_SESSION; m++) {
        const clientId = `bench-${s}-${m}-${run}`
        sentAt.set(clientId, performance.now())
        await call('POST', `/v1/sessions/${ids[s]}/messages`, {
          token: user.accessToken,
          body: { id: clientId, text: `message ${m}` },
        })
      }
    }),
  )
  await done
  const seconds = (performance.now() - started) / 1000
  for (const ws of [...userSockets, builderSocket]) ws.close()
  latencies.sort((a, b) => a - b)
  return {
    sessions,
    sockets: sessions * 2 + 1,
    messages: total,
    'send→receipt p50 ms': Number(percentile(latencies, 50).toFixed(1)),
    'send→receipt p99 ms': Number(percentile(latencies, 99).toFixed(1)),
    'messages/s': Math.round(total / seconds),
  }
}

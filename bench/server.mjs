// Server benchmark: realtime fan-out from a user's send (`POST /v1/sessions/:id/messages`) to the
// builder's receipt over the builder's WebSocket, with N concurrent active sessions (N user sockets
// and one builder socket that all sessions' messages reach), beside a ceiling: a plain node:http +
// `ws` server (ceiling.mjs) that does only the echo and the broadcast. Both run in their own
// processes; this process is the load generator and drives both the same way.
//
// Two phases, alternated between the two servers in every round:
//   latency     open loop: a fixed offered load (RATE msg/s in all, round-robin over the sessions)
//               for SECONDS; p50/p99 of send → builder receipt.
//   throughput  closed loop: every session sends messages back to back (the next once the previous
//               is acknowledged); messages/s until the builder has received them all.
// Usage: node bench/server.mjs [--runs 3] [--postgres] [sessions ...]   (default: 100 1000; prints JSON)
//   --postgres  ours on one instance on PostgreSQL (a fresh database on SUPORTRA_TEST_PG_URL, or a
//               throwaway cluster started through scripts/with-postgres.mjs), the ceiling as always
import { spawnSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { activeSessions, call, inBatches, socket } from './lib/api.mjs'
import { startChild } from './lib/child.mjs'
import { figure, percentile } from './lib/stats.mjs'

export const RATE = 100
export const SECONDS = 4
const THROUGHPUT_MESSAGES = 1000

const t0 = performance.now()
const log = (...args) => console.error(`[server +${((performance.now() - t0) / 1000).toFixed(1)}s]`, ...args)

/** Opens every socket of one target and tracks the builder's receipts. */
async function connect(target) {
  const userSockets = await inBatches(target.users, 100, (u) => socket(target.url, u.token))
  const builderSocket = await socket(target.url, target.builderToken)
  let waiter
  builderSocket.on('message', (data) => {
    const event = JSON.parse(String(data))
    if (event.type === 'message') waiter?.(event.message.clientId, performance.now())
  })
  return {
    ...target,
    /** Calls `fn(clientId, at)` for every message the builder receives. */
    onReceipt(fn) {
      waiter = fn
    },
    close() {
      for (const ws of [...userSockets, builderSocket]) ws.close()
    },
  }
}

const send = (target, user, clientId) =>
  call(target.url, 'POST', `/v1/sessions/${user.sessionId}/messages`, {
    token: user.token,
    body: { id: clientId, text: `bench message ${clientId}` },
  })

/** Collects send → receipt latencies; resolves once `expected` receipts arrived. */
function tracker(target, expected) {
  const sentAt = new Map()
  const latencies = []
  let resolve
  const done = new Promise((r) => {
    resolve = r
  })
  target.onReceipt((clientId, at) => {
    const start = sentAt.get(clientId)
    if (start === undefined) return
    sentAt.delete(clientId)
    latencies.push(at - start)
    if (latencies.length === expected) resolve()
  })
  return { sentAt, latencies, done }
}

async function latencyPhase(target, tag, seconds = SECONDS) {
  const total = RATE * seconds
  const { sentAt, latencies, done } = tracker(target, total)
  const start = performance.now()
  const sends = []
  for (let j = 0; j < total; ) {
    const due = Math.floor(((performance.now() - start) / 1000) * RATE) + 1
    for (; j < Math.min(due, total); j++) {
      const user = target.users[j % target.users.length]
      const clientId = `lat-${tag}-${j}`
      sentAt.set(clientId, performance.now())
      sends.push(send(target, user, clientId))
    }
    await new Promise((r) => setTimeout(r, 2))
  }
  await Promise.all(sends)
  await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))])
  if (process.env.BENCH_DEBUG)
    log(
      'slow',
      latencies
        .filter((l) => l > 200)
        .map(Math.round)
        .join(' '),
    )
  latencies.sort((a, b) => a - b)
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), received: latencies.length, total }
}

async function throughputPhase(target, tag) {
  const perSession = Math.max(3, Math.ceil(THROUGHPUT_MESSAGES / target.users.length))
  const total = perSession * target.users.length
  const { sentAt, latencies, done } = tracker(target, total)
  const start = performance.now()
  await Promise.all(
    target.users.map(async (user, s) => {
      for (let m = 0; m < perSession; m++) {
        const clientId = `tp-${tag}-${s}-${m}`
        sentAt.set(clientId, performance.now())
        await send(target, user, clientId)
      }
    }),
  )
  await done
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  return { rate: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), total }
}

export async function measureServer({ sizes = [100, 1000], runs = 3, postgres = false } = {}) {
  let database
  if (postgres) {
    const { createTestDatabase } = await import('@suportra/server/testing')
    database = await createTestDatabase()
    process.env.BENCH_DB = database.url
  }
  const ours = await startChild(new URL('./serve.mjs', import.meta.url))
  const ceiling = await startChild(new URL('./ceiling.mjs', import.meta.url))
  const results = []
  try {
    for (const sessions of sizes) {
      log(`${sessions} sessions: identifying users, starting and claiming sessions…`)
      const setup = await activeSessions(ours, sessions, `fan-${sessions}-${Date.now()}`)
      const targets = {
        ours: await connect({
          url: ours.url,
          builderToken: setup.builder.accessToken,
          users: setup.users,
        }),
        ceiling: await connect({
          url: ceiling.url,
          builderToken: 'builder',
          users: setup.users.map((_, i) => ({ token: `u${sessions}-${i}`, sessionId: `s${sessions}-${i}` })),
        }),
      }
      log('connected')
      // An untimed round on each first: a fresh process runs unoptimised code with cold caches, and
      // its first round often came out at about half the rate of the next ones (p99 in seconds) —
      // what a long-running server has long left behind. Later sizes: one second of load.
      for (const name of ['ours', 'ceiling']) {
        await latencyPhase(targets[name], `${sessions}-warm`, sessions === sizes[0] ? SECONDS : 1)
        if (sessions === sizes[0]) await throughputPhase(targets[name], `${sessions}-warm`)
      }
      const raw = { ours: [], ceiling: [] }
      for (let round = 0; round < runs; round++) {
        const order = round % 2 ? ['ceiling', 'ours'] : ['ours', 'ceiling']
        const row = { ours: {}, ceiling: {} }
        for (const name of order)
          row[name].latency = await latencyPhase(targets[name], `${sessions}-${round}`)
        for (const name of order) {
          // BENCH_PROFILE=dir: a CPU profile of our server during its throughput phases (open in DevTools).
          const profile = process.env.BENCH_PROFILE && name === 'ours'
          if (profile) await ours.request('profileStart')
          row[name].throughput = await throughputPhase(targets[name], `${sessions}-${round}`)
          if (profile)
            await ours.request('profileStop', {
              file: `${process.env.BENCH_PROFILE}/server-${sessions}-${round}.cpuprofile`,
            })
        }
        for (const name of order) raw[name].push(row[name])
        log(
          `${sessions} sessions, round ${round + 1}/${runs}:`,
          `ours p50 ${row.ours.latency.p50.toFixed(1)} ms p99 ${row.ours.latency.p99.toFixed(1)} ms ${Math.round(row.ours.throughput.rate)} msg/s;`,
          `ceiling p50 ${row.ceiling.latency.p50.toFixed(1)} ms p99 ${row.ceiling.latency.p99.toFixed(1)} ms ${Math.round(row.ceiling.throughput.rate)} msg/s`,
        )
      }
      const summary = (name) => ({
        p50: figure(
          raw[name].map((r) => r.latency.p50),
          'ms',
        ),
        p99: figure(
          raw[name].map((r) => r.latency.p99),
          'ms',
        ),
        rate: figure(
          raw[name].map((r) => r.throughput.rate),
          'msg/s',
        ),
        saturatedP50: figure(
          raw[name].map((r) => r.throughput.p50),
          'ms',
        ),
        saturatedP99: figure(
          raw[name].map((r) => r.throughput.p99),
          'ms',
        ),
        lost: raw[name].reduce((n, r) => n + r.latency.total - r.latency.received, 0),
      })
      results.push({
        sessions,
        sockets: sessions + 1,
        ours: summary('ours'),
        ceiling: summary('ceiling'),
        // Per-round ratios (same round, same machine state), then their median.
        fraction: figure(
          raw.ours.map((r, i) => r.throughput.rate / raw.ceiling[i].throughput.rate),
          '',
        ),
        memory: { ours: await ours.request('memory'), ceiling: await ceiling.request('memory') },
      })
      targets.ours.close()
      targets.ceiling.close()
    }
  } finally {
    await ours.close()
    await ceiling.close()
    await database?.drop()
  }
  return {
    database: postgres ? 'postgres' : 'sqlite',
    rate: RATE,
    seconds: SECONDS,
    throughputMessages: THROUGHPUT_MESSAGES,
    results,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  const postgres = args.includes('--postgres')
  if (postgres && !process.env.SUPORTRA_TEST_PG_URL) {
    const withPostgres = fileURLToPath(new URL('../scripts/with-postgres.mjs', import.meta.url))
    const self = fileURLToPath(import.meta.url)
    const run = [withPostgres, '--', process.execPath, self, ...args]
    process.exit(spawnSync(process.execPath, run, { stdio: 'inherit' }).status ?? 1)
  }
  const runsAt = args.indexOf('--runs')
  const runs = runsAt === -1 ? 3 : Number(args.splice(runsAt, 2)[1])
  const sizes = args.map(Number).filter(Boolean)
  console.log(
    JSON.stringify(await measureServer({ runs, postgres, ...(sizes.length && { sizes }) }), null, 2),
  )
}

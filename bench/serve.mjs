// The server under test, in its own process so the load generator (or the browser driver) does
// not share its event loop. Rate limits are raised (the benchmark is the only client) and password
// hashing is cheap; nothing else differs from `suportra-server --seed demo`.
//
// The parent talks to it with `{ id, cmd, args }` messages (see lib/child.mjs):
//   grant     { userIds }                        what a verified purchase does (sign-up gives none)
//   seed      { sessionId, count, userId, builderId }   appends `count` messages straight into the DB
//   memory    {}                                 RSS and heap after a GC (run with --expose-gc)
//   sockets   {}                                 authenticated realtime sockets
//   profileStart {} / profileStop { file }       a CPU profile of what runs in between
import { mkdtempSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '@suportra/server'
import { pino } from 'pino'
import { transcriptRows } from './lib/transcript-rows.mjs'

const unlimited = { points: 1e9, duration: 1 }
const server = await startServer({
  port: 0,
  // BENCH_DB: a PostgreSQL URL (server.mjs --postgres) or a SQLite file (drain.mjs restarts on one).
  db: process.env.BENCH_DB ?? join(mkdtempSync(join(tmpdir(), 'suportra-bench-')), 'bench.db'),
  ...(process.env.BENCH_PORT && { port: Number(process.env.BENCH_PORT) }),
  seed: 'demo',
  scryptCost: 2 ** 12,
  // Every load-generating client speaks from 127.0.0.1 and signs up in batches of 50.
  passwordHashing: { concurrent: 1e9, concurrentPerIp: 1e9 },
  rateLimits: {
    auth: unlimited,
    send: unlimited,
    typing: unlimited,
    signInFailures: unlimited,
    auditsPerIp: unlimited,
    auditsPerEmail: unlimited,
  },
  // Every benchmark socket comes from this machine's one address (up to 1,000 of them at once).
  socketsPerIp: 1e9,
  unauthenticatedSocketsPerIp: 1e9,
  logger: pino({ level: 'silent' }),
})
const { db } = server.context.store

const commands = {
  async grant({ userIds }) {
    const rows = userIds.map((userId, i) => ({
      id: `txn_bench_${userId}`,
      user_id: userId,
      kind: 'grant',
      amount: 1,
      idempotency_key: `bench:${userId}:${i}`,
      reference: 'bench',
      created_at: Date.now(),
    }))
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto('ledger')
        .values(rows.slice(i, i + 500))
        .execute()
    return { granted: rows.length }
  },

  /** Appends messages with consecutive seq after the session's last one, and moves last_seq on. */
  async seed({ sessionId, count, userId, builderId }) {
    await server.context.store.transaction(async (tx) => {
      const { last_seq } = await tx
        .selectFrom('sessions')
        .select('last_seq')
        .where('id', '=', sessionId)
        .executeTakeFirstOrThrow()
      const rows = transcriptRows({ sessionId, from: last_seq + 1, count, userId, builderId })
      // SQLite allows at most 32766 bound variables per statement; 11 columns per row.
      for (let i = 0; i < rows.length; i += 1000)
        await tx
          .insertInto('messages')
          .values(rows.slice(i, i + 1000))
          .execute()
      await tx
        .updateTable('sessions')
        .set({ last_seq: last_seq + count })
        .where('id', '=', sessionId)
        .execute()
    })
    return { seeded: count }
  },

  memory() {
    globalThis.gc?.()
    globalThis.gc?.()
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage()
    return { rss, heapUsed, heapTotal, external, gc: Boolean(globalThis.gc) }
  },

  sockets: () => ({ sockets: server.hub.size }),

  /** A V8 CPU profile of whatever runs between the two calls (see BENCH_PROFILE in server.mjs). */
  async profileStart() {
    profiler ??= new Session()
    profiler.connect()
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.start')
    return {}
  },
  async profileStop({ file }) {
    const { profile } = await profiler.post('Profiler.stop')
    profiler.disconnect()
    writeFileSync(file, JSON.stringify(profile))
    return { file }
  },
}
let profiler

process.on('message', async ({ id, cmd, args }) => {
  try {
    process.send({ id, result: await commands[cmd](args ?? {}) })
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) })
  }
})
process.send({ ready: true, url: server.url })
process.on('SIGINT', () => process.exit(0))
process.on('disconnect', () => process.exit(0))

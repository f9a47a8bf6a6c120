// The server under test, in its own process so the load generator does not share its event loop.
// Rate limits are raised (the benchmark is the only client) and password hashing is cheap; nothing
// else differs from `suportra-server --seed demo`. The parent may ask it to grant credits (what a
// verified purchase does), since sign-up gives none.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '@suportra/server'
import { pino } from 'pino'

const unlimited = { points: 1e9, duration: 1 }
const server = await startServer({
  port: 0,
  db: join(mkdtempSync(join(tmpdir(), 'suportra-bench-')), 'bench.db'),
  seed: 'demo',
  scryptCost: 2 ** 12,
  rateLimits: { auth: unlimited, send: unlimited, typing: unlimited, signInFailures: unlimited },
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
process.on('SIGINT', () => process.exit(0))

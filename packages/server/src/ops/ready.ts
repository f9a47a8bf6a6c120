import { sql } from 'kysely'
import type { Context } from '../context.js'
import { migrations } from '../db/migrations.js'

/** A check that takes longer than this fails: a probe must answer while the database hangs. */
const CHECK_TIMEOUT_MS = 2_000

export type Checks = Record<string, string>

/**
 * Whether this instance can serve traffic, check by check (`ok` or what is wrong): the database
 * answers a query, every migration this version knows is applied, the realtime bus is connected
 * (PostgreSQL's LISTEN connection; always true on SQLite), and the server is not shutting down.
 */
export async function readiness(
  ctx: Context,
  shuttingDown: boolean,
): Promise<{ ok: boolean; checks: Checks }> {
  const [database, applied] = await Promise.all([
    timed(
      ctx,
      'database',
      sql`select 1`.execute(ctx.store.db).then(() => 'ok'),
    ),
    timed(ctx, 'migrations', appliedMigrations(ctx)),
  ])
  const checks: Checks = {
    database,
    migrations: applied,
    realtime: ctx.bus.connected?.() === false ? 'the LISTEN connection to PostgreSQL is down' : 'ok',
  }
  if (shuttingDown) checks.server = 'shutting down'
  return { ok: Object.values(checks).every((v) => v === 'ok'), checks }
}

async function appliedMigrations(ctx: Context): Promise<string> {
  const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(ctx.store.db)
  const names = new Set(rows.rows.map((r) => r.name))
  const missing = Object.keys(migrations).filter((name) => !names.has(name))
  return missing.length === 0 ? 'ok' : `not applied: ${missing.join(', ')}`
}

/**
 * `check`'s outcome, or `failed` with the error's code (the whole error goes to the log, not to the
 * public answer: it can name hosts), or a timeout. Never throws, never waits past the limit.
 */
async function timed(ctx: Context, name: string, check: Promise<string>): Promise<string> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS)
  })
  try {
    return await Promise.race([
      check.catch((error: unknown) => {
        ctx.log.warn({ err: error, check: name }, 'readiness check failed')
        const code = (error as { code?: unknown })?.code
        return `failed${typeof code === 'string' ? ` (${code})` : ''}`
      }),
      late,
    ])
  } finally {
    clearTimeout(timer)
  }
}

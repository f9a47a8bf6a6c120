import { sql } from 'kysely'
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
} from 'rate-limiter-flexible'
import type { RateLimits } from './config.js'
import type { Database } from './db/database.js'
import { DomainError } from './errors.js'

export type RateLimiters = Record<keyof RateLimits, RateLimiterAbstract>

/** Counters in this process's memory: right for one instance (SQLite). */
export function createRateLimiters(limits: RateLimits): RateLimiters {
  const entries = Object.entries(limits).map(([name, { points, duration }]) => [
    name,
    new RateLimiterMemory({ points, duration, keyPrefix: name }),
  ])
  return Object.fromEntries(entries) as RateLimiters
}

const TABLE = 'rate_limits'

/**
 * The limiters for `store`: in memory on SQLite (one instance); on PostgreSQL, counters in the
 * database shared by every instance, so that a limit means the same with one instance or ten.
 * Should PostgreSQL fail, each instance falls back to its own in-memory counters rather than
 * refusing or waving everything through.
 */
export async function openRateLimiters(limits: RateLimits, store: Database): Promise<RateLimiters> {
  if (!store.pool) return createRateLimiters(limits)
  // Not a migration: rate-limiter-flexible owns this table's layout (keys may be long: IP + email).
  await store.transaction(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${TABLE}))`.execute(tx)
    await sql`create table if not exists ${sql.table(TABLE)} (key text primary key, points integer not null default 0, expire bigint)`.execute(
      tx,
    )
  })
  const entries = Object.entries(limits).map(([name, { points, duration }]) => [
    name,
    new RateLimiterPostgres({
      storeClient: store.pool,
      storeType: 'pool',
      tableName: TABLE,
      tableCreated: true,
      keyPrefix: name,
      points,
      duration,
      insuranceLimiter: new RateLimiterMemory({ points, duration, keyPrefix: name }),
    }),
  ])
  return Object.fromEntries(entries) as RateLimiters
}

/** Spends `points` (one by default) of `limiter` for `key`, or throws `rate_limited` with the seconds to wait. */
export async function consume(
  limiter: RateLimiterAbstract,
  key: string,
  what: string,
  points = 1,
): Promise<void> {
  try {
    await limiter.consume(key, points)
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error
    throw rateLimited(error, what)
  }
}

function rateLimited(res: RateLimiterRes, what: string): DomainError {
  const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000))
  return new DomainError('rate_limited', `Too many ${what}; try again in ${retryAfter} s`, {
    details: { retryAfter },
  })
}

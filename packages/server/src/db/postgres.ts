import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { migrate } from './migrate.js'
import { NulPlugin } from './nul-plugin.js'
import type { DB } from './schema.js'
import type { Database, OpenOptions } from './store.js'

/** `int8`: millisecond timestamps, `count(*)`, `sum(integer)`. pg returns them as strings by default. */
const INT8_OID = 20

/** Transactions PostgreSQL aborted to resolve a conflict (deadlock, serialization); safe to run again. */
const RETRYABLE = new Set(['40P01', '40001'])
const ATTEMPTS = 3

/** Opens a pool on a PostgreSQL database and applies pending migrations (same ones as SQLite). */
export async function openPostgres(url: string, options: OpenOptions = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? toSafeNumber
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  })
  // An idle connection that breaks (PostgreSQL restarted) is dropped and replaced on next use;
  // without a listener the 'error' event would crash the process.
  pool.on('error', () => {})
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new NulPlugin(), ...(options.plugins ?? [])],
  })
  try {
    await migrate(db)
  } catch (error) {
    await db.destroy()
    throw error
  }

  return {
    db,
    dialect: 'postgres',
    pool,
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().execute(fn)
        } catch (error) {
          if (attempt >= ATTEMPTS || !RETRYABLE.has((error as { code?: string })?.code ?? '')) throw error
        }
      }
    },
    async lockUser(tx, userId) {
      // Held until the transaction ends: concurrent charges of one user (on any instance) queue here.
      await tx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute()
    },
    close: () => db.destroy(),
  }
}

function toSafeNumber(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} does not fit a JavaScript number`)
  return n
}

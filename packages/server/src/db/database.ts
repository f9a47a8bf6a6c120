import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect, type Transaction } from 'kysely'
import { migrations } from './migrations.js'
import type { DB } from './schema.js'

export type Tx = Transaction<DB>

/**
 * The one storage module. Everything else talks to the database through `Database`: the Kysely
 * query builder plus the few places where dialects differ. A PostgreSQL dialect slots in here.
 */
export interface Database {
  db: Kysely<DB>
  dialect: 'sqlite'
  /** Runs `fn` in a transaction; concurrent transactions touching the same rows are serialized. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /** Serializes concurrent balance changes for one user (row lock on PostgreSQL; SQLite has one writer). */
  lockUser(tx: Tx, userId: string): Promise<void>
  close(): Promise<void>
}

/** Opens (creating if needed) a SQLite database in WAL mode and applies pending migrations. */
export async function openDatabase(file: string): Promise<Database> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const sqlite = new SQLite(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')

  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
  await migrate(db)

  return {
    db,
    dialect: 'sqlite',
    transaction: (fn) => db.transaction().execute(fn),
    lockUser: async () => {},
    close: () => db.destroy(),
  }
}

async function migrate(db: Kysely<DB>) {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed`, { cause: error })
  }
}

/** better-sqlite3 prepares a statement per call; Kysely repeats the same SQL a lot, so keep them. */
function withStatementCache(sqlite: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql)
      if (!statement) {
        statement = sqlite.prepare(sql)
        if (cache.size < 500) cache.set(sql, statement)
      }
      return statement
    },
  }
}

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { migrate } from './migrate.js'
import { NulPlugin } from './nul-plugin.js'
import type { DB } from './schema.js'
import type { Database, OpenOptions } from './store.js'

export type { Database, OpenOptions, Tx } from './store.js'

/** Whether `db` names a PostgreSQL database (`postgres://…` or `postgresql://…`) rather than a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db)
}

/** Whether `error` is a unique constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}

/** `db` with any password replaced, for logs and banners. */
export function redactUrl(db: string): string {
  return isPostgresUrl(db) ? db.replace(/^([^:]+:\/\/[^:/@]*:)[^@]*@/, '$1***@') : db
}

/**
 * Opens the database `url` and applies pending migrations: a PostgreSQL URL, or a SQLite file
 * (created if needed, WAL mode) or `:memory:`.
 */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  if (isPostgresUrl(url)) {
    const { openPostgres } = await import('./postgres.js')
    return openPostgres(url, options)
  }
  return openSqlite(url, options)
}

async function openSqlite(file: string, options: OpenOptions): Promise<Database> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const sqlite = new SQLite(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  // Deleted rows are overwritten with zeros, not left in free pages (a deleted transcript must not
  // stay readable in the file); see scrubDeleted for the WAL.
  sqlite.pragma('secure_delete = ON')

  const db = new Kysely<DB>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    plugins: [new NulPlugin(), ...(options.plugins ?? [])],
  })
  await migrate(db)

  return {
    db,
    dialect: 'sqlite',
    transaction: (fn) => db.transaction().execute(fn),
    lockUser: async () => {},
    // Through Kysely, so it waits for a transaction in progress on the one connection.
    scrubDeleted: async () => {
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db)
    },
    close: () => db.destroy(),
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

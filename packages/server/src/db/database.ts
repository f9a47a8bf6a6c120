import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, type PostgresPool, SqliteDialect, sql, type Transaction } from 'kysely'
import { migrate } from './migrate.js'
import { NulPlugin } from './nul-plugin.js'
import type { DB } from './schema.js'

export type Tx = Transaction<DB>

/**
 * The one storage module. Everything else talks to the database through `Database`: the Kysely
 * query builder plus the few places where dialects differ. `openDatabase` picks SQLite (a file or
 * `:memory:`) or PostgreSQL (a `postgres://` URL, see `postgres.ts`).
 */
export interface Database {
  db: Kysely<DB>
  dialect: 'sqlite' | 'postgres'
  /** The connection pool on PostgreSQL (shared rate limits use it); absent on SQLite. */
  pool?: PostgresPool
  /**
   * Runs `fn` in a transaction; concurrent transactions touching the same rows are serialized.
   * On PostgreSQL (READ COMMITTED) a transaction aborted by a deadlock is run again, so `fn` must
   * do all its work through `tx`.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /** Serializes concurrent balance changes for one user (row lock on PostgreSQL; SQLite has one writer). */
  lockUser(tx: Tx, userId: string): Promise<void>
  /**
   * After a deletion of personal data: leaves no copy of the deleted rows readable in the database's
   * files. SQLite (which runs with `secure_delete`, so freed space is zeroed) moves the WAL into the
   * database file and truncates it. Absent on PostgreSQL: there it takes VACUUM (docs/security.md).
   */
  scrubDeleted?(): Promise<void>
  close(): Promise<void>
}

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
export async function openDatabase(url: string): Promise<Database> {
  if (isPostgresUrl(url)) {
    const { openPostgres } = await import('./postgres.js')
    return openPostgres(url)
  }
  return openSqlite(url)
}

async function openSqlite(file: string): Promise<Database> {
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
    plugins: [new NulPlugin()],
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

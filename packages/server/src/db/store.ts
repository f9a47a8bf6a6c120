import type { Kysely, KyselyPlugin, PostgresPool, Transaction } from 'kysely'
import type { DB } from './schema.js'

export type Tx = Transaction<DB>

export interface OpenOptions {
  /** Kysely plugins run after the built-in ones (tests count the statements a request issues). */
  plugins?: KyselyPlugin[]
}

/**
 * The storage interface. Everything else talks to the database through `Database`: the Kysely
 * query builder plus the few places where dialects differ. `openDatabase` (`database.ts`) picks SQLite (a file or
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

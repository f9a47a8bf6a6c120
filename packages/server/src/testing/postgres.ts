import { randomBytes } from 'node:crypto'
import pg from 'pg'

/**
 * Which database the integration tests run on: PostgreSQL when `SUPORTRA_TEST_DB=postgres` (with
 * `SUPORTRA_TEST_PG_URL` pointing at a throwaway cluster, see scripts/with-postgres.mjs), SQLite
 * otherwise.
 */
export function testDialect(): 'sqlite' | 'postgres' {
  return process.env.SUPORTRA_TEST_DB === 'postgres' ? 'postgres' : 'sqlite'
}

export interface TestDatabase {
  /** `postgres://…/suportra_test_…` */
  url: string
  /** Drops the database, closing whatever is still connected to it. */
  drop(): Promise<void>
}

function clusterUrl(): string {
  const url = process.env.SUPORTRA_TEST_PG_URL
  if (!url) {
    throw new Error(
      'SUPORTRA_TEST_DB=postgres needs SUPORTRA_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5433/postgres); ' +
        'node scripts/with-postgres.mjs sets both',
    )
  }
  return url
}

async function onCluster<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: clusterUrl() })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Creates an empty database with a random name on the test cluster. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `suportra_test_${randomBytes(6).toString('hex')}`
  await onCluster((client) => client.query(`CREATE DATABASE ${name}`))
  const url = new URL(clusterUrl())
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () =>
      onCluster((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  }
}

const byPath = new Map<string, Promise<TestDatabase>>()

/**
 * The database a test names by a file path: the path itself on SQLite; on PostgreSQL a fresh
 * database made the first time the path is seen in this process, and the same one after that (so
 * a server restarted "on the same file" finds its data). A PostgreSQL URL is used as it is.
 */
export async function databaseFor(path: string): Promise<string> {
  if (/^postgres(ql)?:\/\//.test(path) || testDialect() === 'sqlite') return path
  let database = byPath.get(path)
  if (!database) {
    database = createTestDatabase()
    byPath.set(path, database)
  }
  return (await database).url
}

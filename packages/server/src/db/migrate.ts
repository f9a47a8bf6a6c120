import { type Kysely, Migrator } from 'kysely'
import { migrations } from './migrations.js'
import type { DB } from './schema.js'

/**
 * Applies pending migrations. On PostgreSQL, Kysely holds an advisory lock while it migrates, so
 * several instances starting at once apply each migration exactly once.
 */
export async function migrate(db: Kysely<DB>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed`, { cause: error })
  }
}

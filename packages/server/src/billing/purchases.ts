import type { Selectable } from 'kysely'
import type { Database } from '../db/database.js'
import type { DB } from '../db/schema.js'

/** A credit purchase by id (the development checkout pages show and complete it). */
export function findPurchase(store: Database, id: string): Promise<Selectable<DB['purchases']> | undefined> {
  return store.db.selectFrom('purchases').selectAll().where('id', '=', id).executeTakeFirst()
}

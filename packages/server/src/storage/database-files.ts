import type { Database } from '../db/database.js'
import type { FileStore } from './files.js'

const BATCH = 500

/**
 * Attachments in the database's `files` table: several PostgreSQL instances share them with nothing
 * else to run. A file is read whole (attachments are at most LIMITS.attachmentBytes).
 */
export function databaseFiles(store: Database): FileStore {
  return {
    kind: 'database',
    async put(id, data) {
      await store.db
        .insertInto('files')
        .values({
          id,
          data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.column('id').doUpdateSet({ data: (eb) => eb.ref('excluded.data') }))
        .execute()
    },
    async get(id) {
      const row = await store.db.selectFrom('files').select('data').where('id', '=', id).executeTakeFirst()
      if (!row) return undefined
      const bytes = new Uint8Array(row.data)
      return {
        size: bytes.byteLength,
        stream: new ReadableStream({
          start(controller) {
            controller.enqueue(bytes)
            controller.close()
          },
        }),
      }
    },
    async remove(ids) {
      for (let i = 0; i < ids.length; i += BATCH)
        await store.db
          .deleteFrom('files')
          .where('id', 'in', ids.slice(i, i + BATCH))
          .execute()
    },
    async sweepOrphans(_known, graceMs) {
      // One statement: files older than the grace period that no attachment row names.
      const removed = await store.db
        .deleteFrom('files')
        .where('created_at', '<', Date.now() - graceMs)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('attachments').select('attachments.id').whereRef('attachments.id', '=', 'files.id'),
            ),
          ),
        )
        .executeTakeFirst()
      return Number(removed.numDeletedRows)
    },
  }
}

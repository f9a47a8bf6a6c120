import type { Context } from '../context.js'

/** Files this recent are left alone (an upload of an older server version writes its file first). */
const GRACE_MS = 60_000
const BATCH = 500

/**
 * Removes what no deletion would find: uploads never sent in a message within
 * `uploads.unattachedTtlMinutes` (row and file), and files in the attachments folder without a
 * database row (a crash between a deletion's commit and its file removal). Safe on several instances
 * sharing one folder: a file is written only after its row exists.
 */
export async function sweepUploads(ctx: Context): Promise<{ expired: number; orphans: number }> {
  const cutoff = Date.now() - ctx.config.uploads.unattachedTtlMinutes * 60_000
  let expired = 0
  for (;;) {
    const stale = await ctx.store.db
      .deleteFrom('attachments')
      .where(
        'id',
        'in',
        ctx.store.db
          .selectFrom('attachments')
          .select('id')
          .where('message_id', 'is', null)
          .where('created_at', '<', cutoff)
          .limit(BATCH),
      )
      .where('message_id', 'is', null)
      .returning('id')
      .execute()
    await Promise.all(stale.map(({ id }) => removeFile(ctx, id)))
    expired += stale.length
    if (stale.length < BATCH) break
  }

  const orphans = await ctx.files.sweepOrphans(async (ids) => {
    const rows = await ctx.store.db.selectFrom('attachments').select('id').where('id', 'in', ids).execute()
    return new Set(rows.map((row) => row.id))
  }, GRACE_MS)
  if (expired + orphans > 0) ctx.log.info({ expired, orphans }, 'upload sweep')
  return { expired, orphans }
}

async function removeFile(ctx: Context, id: string) {
  await ctx.files.remove([id])
}

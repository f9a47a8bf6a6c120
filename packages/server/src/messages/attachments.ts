import { type Attachment, LIMITS } from '@suportra/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import type { Tx } from '../db/database.js'
import { DomainError, invalid, notFound } from '../errors.js'
import { newId } from '../ids.js'
import { accessOf, ensureOpen, loadSession } from '../sessions/sessions.js'
import { toAttachment } from '../sessions/transcript.js'

/** Keeps a readable file name: no folders, no control characters, at most 255 characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  const clean = base
    .replace(/[\p{Cc}\p{Cf}"]/gu, '')
    .trim()
    .slice(0, LIMITS.fileNameLength)
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean
}

function cleanType(type: string | undefined): string {
  const essence = type?.split(';')[0]?.trim().toLowerCase() ?? ''
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence) ? essence : 'application/octet-stream'
}

/**
 * Refuses an upload when the caller's files not (yet) attached to a message, uploaded in the last
 * hour, would pass the quota in number or bytes (`rate_limited`, with the seconds until the oldest of
 * them leaves the hour). Files sent in messages do not count: normal use never meets it. `incoming` is
 * the new file's size once known (before the body is read, only a full quota refuses); with `tx`, the
 * count is taken under the user's lock so concurrent uploads are counted one after the other.
 */
export async function checkUploadQuota(
  ctx: Context,
  userId: string,
  incoming?: number,
  tx?: Tx,
): Promise<void> {
  const { unattachedPerHour, unattachedBytesPerHour } = ctx.config.uploads
  const rows = await (tx ?? ctx.store.db)
    .selectFrom('attachments')
    .select(['size', 'created_at'])
    .where('uploader_id', '=', userId)
    .where('message_id', 'is', null)
    .where('created_at', '>', Date.now() - HOUR)
    .orderBy('created_at')
    .execute()
  const bytes = rows.reduce((n, row) => n + row.size, 0)
  const tooMany = rows.length + 1 > unattachedPerHour
  const tooBig =
    incoming === undefined ? bytes >= unattachedBytesPerHour : bytes + incoming > unattachedBytesPerHour
  if (!tooMany && !tooBig) return
  const oldest = rows[0]?.created_at ?? Date.now()
  const retryAfter = Math.max(1, Math.ceil((oldest + HOUR - Date.now()) / 1000))
  throw new DomainError(
    'rate_limited',
    tooMany
      ? `You uploaded ${rows.length} files in the last hour without sending them; send them or try again in ${retryAfter} s`
      : `Your files not sent in a message in the last hour would pass ${Math.round(unattachedBytesPerHour / 1024 / 1024)} MB; send them or try again in ${retryAfter} s`,
    { details: { retryAfter, reason: 'unattached_uploads' } },
  )
}

const HOUR = 60 * 60_000

/**
 * Stores an uploaded file for a session. It becomes visible once a message references it. The
 * database row comes first (with the quota check, under the user's lock), then the file: a crash
 * between them leaves a row without a file (its download answers 410, the sweep removes it), never a
 * file that no deletion would find.
 */
export async function storeAttachment(
  ctx: Context,
  caller: Caller,
  sessionId: string,
  file: { name: string; type: string | undefined; data: Uint8Array },
): Promise<Attachment> {
  const { row: session } = await loadSession(ctx, caller, sessionId, ['owner', 'builder'])
  ensureOpen(session)
  if (file.data.byteLength === 0) throw invalid('The file is empty')
  const row = {
    id: newId('att'),
    session_id: sessionId,
    uploader_id: caller.userId,
    message_id: null,
    name: cleanFileName(file.name),
    type: cleanType(file.type),
    size: file.data.byteLength,
    created_at: Date.now(),
  }
  await ctx.store.transaction(async (tx) => {
    await ctx.store.lockUser(tx, caller.userId)
    await checkUploadQuota(ctx, caller.userId, row.size, tx)
    await tx.insertInto('attachments').values(row).execute()
  })
  try {
    await ctx.files.put(row.id, file.data, row.type)
  } catch (error) {
    await ctx.store.db.deleteFrom('attachments').where('id', '=', row.id).execute()
    throw error
  }
  return toAttachment(row)
}

/**
 * Opens an attachment for a participant of its session (before it is sent in a message, for its
 * uploader only); anyone else gets 404. A file gone from disk (deleted by hand, lost with a volume, a
 * crash mid-upload) answers 410 before any header is sent, rather than a 200 whose body breaks off.
 */
export async function openAttachment(ctx: Context, caller: Caller, id: string) {
  const row = await ctx.store.db
    .selectFrom('attachments as a')
    .innerJoin('sessions as s', 's.id', 'a.session_id')
    .selectAll('a')
    .select(['s.user_id', 's.builder_id', 's.status', 's.tool'])
    .where('a.id', '=', id)
    .executeTakeFirst()
  const access = row && accessOf(row, caller)
  const visible = row && (row.message_id !== null || row.uploader_id === caller.userId)
  if (!row || !visible || (access !== 'owner' && access !== 'builder')) throw notFound('Attachment')
  const file = await ctx.files.get(row.id).catch((error: unknown) => {
    ctx.log.error({ attachmentId: row.id, err: (error as Error).message }, 'attachment file unreadable')
    throw new DomainError('server', 'The file could not be read; try again', { kind: 'unavailable' })
  })
  if (!file) {
    ctx.log.error({ attachmentId: row.id }, 'attachment file missing')
    throw gone()
  }
  if (file.size !== row.size) {
    await file.stream.cancel()
    ctx.log.error(
      { attachmentId: row.id, size: file.size, expected: row.size },
      'attachment file has the wrong size',
    )
    throw gone()
  }
  return { attachment: toAttachment(row), stream: file.stream }
}

const gone = () =>
  new DomainError('not_found', 'The file of this attachment is no longer stored on the server', {
    kind: 'gone',
  })

import { createReadStream } from 'node:fs'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { type Attachment, LIMITS } from '@suportra/client/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { invalid, notFound } from '../http/errors.js'
import { newId } from '../ids.js'
import { accessOf, ensureOpen, loadSession } from '../sessions/sessions.js'
import { toAttachment } from './messages.js'

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

/** Stores an uploaded file for a session. It becomes visible once a message references it. */
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
  await mkdir(ctx.filesDir, { recursive: true })
  const path = join(ctx.filesDir, row.id)
  await writeFile(`${path}.part`, file.data)
  await rename(`${path}.part`, path)
  await ctx.store.db.insertInto('attachments').values(row).execute()
  return toAttachment(row)
}

/**
 * Opens an attachment for a participant of its session (before it is sent in a message, for its
 * uploader only); anyone else gets 404.
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
  return {
    attachment: toAttachment(row),
    stream: Readable.toWeb(createReadStream(join(ctx.filesDir, row.id))),
  }
}

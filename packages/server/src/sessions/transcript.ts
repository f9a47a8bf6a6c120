import type { Attachment, Message } from '@suportra/protocol'
import type { Tx } from '../db/database.js'
import type { AttachmentRow, MessageRow, NewMessage } from '../db/schema.js'
import { conflict } from '../errors.js'
import { newId } from '../ids.js'
import { queueSessionWebhook } from '../webhooks/outbox.js'
import { patchColumns, patchOf, patchResultOf } from './patch-rows.js'

/**
 * Stores a message with the session's next `seq`. Incrementing `last_seq` locks the session row,
 * so concurrent appends get consecutive numbers and a rolled-back append leaves no gap.
 */
export async function appendMessage(
  tx: Tx,
  sessionId: string,
  fields: Omit<NewMessage, 'id' | 'session_id' | 'seq' | 'created_at'>,
): Promise<MessageRow> {
  const bumped = await tx
    .updateTable('sessions')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
    .where('id', '=', sessionId)
    .returning('last_seq')
    .executeTakeFirst()
  if (!bumped) throw conflict('Session no longer exists')
  const row: MessageRow = {
    id: newId('msg'),
    session_id: sessionId,
    seq: bumped.last_seq,
    created_at: Date.now(),
    client_id: fields.client_id ?? null,
    author: fields.author,
    author_id: fields.author_id ?? null,
    kind: fields.kind,
    body: fields.body,
    code_language: fields.code_language ?? null,
    code_content: fields.code_content ?? null,
    ...patchColumns(fields),
  }
  await tx.insertInto('messages').values(row).execute()
  return row
}

/** `requeued`: the builder was deactivated by the operator and the session went back to the queue. */
export type SessionEvent = 'started' | 'claimed' | 'video' | 'closed' | 'cancelled' | 'requeued'

/**
 * Session lifecycle markers stored in the transcript as `event` messages; in the same transaction,
 * the vendor's webhook for the step (`session.started`, …) goes into the webhook outbox.
 */
export async function appendEvent(tx: Tx, sessionId: string, event: SessionEvent) {
  const row = await appendMessage(tx, sessionId, {
    author: 'system',
    author_id: null,
    kind: 'event',
    body: event,
  })
  await queueSessionWebhook(tx, sessionId, event)
  return row
}

/** The wire shape of a transcript row and its files. */
export function toAttachment(row: AttachmentRow): Attachment {
  return { id: row.id, name: row.name, type: row.type, size: row.size, url: `/v1/attachments/${row.id}` }
}

export function toMessage(row: MessageRow, attachments: AttachmentRow[]): Message {
  return {
    id: row.id,
    clientId: row.client_id,
    sessionId: row.session_id,
    seq: row.seq,
    author: row.author,
    authorId: row.author_id,
    kind: row.kind,
    body: row.body,
    code: row.code_content === null ? null : { language: row.code_language ?? '', content: row.code_content },
    attachments: attachments.map(toAttachment),
    createdAt: row.created_at,
    patch: patchOf(row),
    patchResult: patchResultOf(row),
  }
}

import type { Tx } from '../db/database.js'
import type { MessageRow, NewMessage } from '../db/schema.js'
import { conflict } from '../http/errors.js'
import { newId } from '../ids.js'

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
  }
  await tx.insertInto('messages').values(row).execute()
  return row
}

export type SessionEvent = 'started' | 'claimed' | 'video' | 'closed' | 'cancelled'

/** Session lifecycle markers stored in the transcript as `event` messages. */
export function appendEvent(tx: Tx, sessionId: string, event: SessionEvent) {
  return appendMessage(tx, sessionId, { author: 'system', author_id: null, kind: 'event', body: event })
}

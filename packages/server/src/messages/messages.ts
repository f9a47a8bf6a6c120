import type { Message } from '@suportra/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import type { Database } from '../db/database.js'
import type { MessageRow } from '../db/schema.js'
import { loadSession } from '../sessions/sessions.js'
import { toMessage } from '../sessions/transcript.js'

/** Adds the attachments to message rows (one query for the whole page). */
export async function withAttachments(ctx: Context, rows: MessageRow[]): Promise<Message[]> {
  const ids = rows.filter((r) => r.kind === 'file').map((r) => r.id)
  const files =
    ids.length === 0
      ? []
      : await ctx.store.db
          .selectFrom('attachments')
          .selectAll()
          .where('message_id', 'in', ids)
          .orderBy('created_at')
          .execute()
  return rows.map((row) =>
    toMessage(
      row,
      files.filter((f) => f.message_id === row.id),
    ),
  )
}

/** Up to `limit` messages of a session after `seq`, in order (a reconnecting socket's replay). */
export function messagesAfter(store: Database, sessionId: string, seq: number, limit: number) {
  return store.db
    .selectFrom('messages')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('seq', '>', seq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute()
}

/** A page of history: the newest `limit` before `before`, or the oldest `limit` after `after`. */
export async function listMessages(
  ctx: Context,
  caller: Caller,
  sessionId: string,
  query: { before?: number | undefined; after?: number | undefined; limit?: number | undefined },
): Promise<{ messages: Message[]; hasMore: boolean }> {
  await loadSession(ctx, caller, sessionId, ['owner', 'builder'])
  const limit = query.limit ?? 50
  let select = ctx.store.db
    .selectFrom('messages')
    .selectAll()
    .where('session_id', '=', sessionId)
    .limit(limit + 1)
  if (query.after !== undefined) {
    select = select.where('seq', '>', query.after).orderBy('seq', 'asc')
  } else {
    if (query.before !== undefined) select = select.where('seq', '<', query.before)
    select = select.orderBy('seq', 'desc')
  }
  const rows = await select.execute()
  const hasMore = rows.length > limit
  const page = rows.slice(0, limit).sort((a, b) => a.seq - b.seq)
  return { messages: await withAttachments(ctx, page), hasMore }
}

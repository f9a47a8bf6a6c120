import type { Message, SendMessageRequest } from '@suportra/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import type { Database } from '../db/database.js'
import type { MessageRow } from '../db/schema.js'
import { conflict, invalid } from '../errors.js'
import { notifyMessage, participantsOf } from '../sessions/notify.js'
import { ensureOpen, loadSession } from '../sessions/sessions.js'
import { appendMessage, toMessage } from '../sessions/transcript.js'
import { checkPatchRules, patchFields } from './patches.js'

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

async function findByClientId(ctx: Context, authorId: string, clientId: string) {
  return ctx.store.db
    .selectFrom('messages')
    .selectAll()
    .where('author_id', '=', authorId)
    .where('client_id', '=', clientId)
    .executeTakeFirst()
}

/**
 * Stores a message once per client id. A retry (same author, same id) gets the original message
 * back with `created: false`; the same id reused in another session is a conflict. `spend` runs
 * (and may throw, e.g. `rate_limited`) only for a message that is not stored yet: retries of a
 * stored one, which an outbox sends after every reconnect, cost nothing.
 */
export async function sendMessage(
  ctx: Context,
  caller: Caller,
  sessionId: string,
  input: SendMessageRequest,
  spend: () => Promise<void> = async () => {},
): Promise<{ message: Message; created: boolean }> {
  const { row: session, access } = await loadSession(ctx, caller, sessionId, ['owner', 'builder'])
  const previous = await findByClientId(ctx, caller.userId, input.id)
  if (previous) return { message: await replayOf(ctx, previous, sessionId), created: false }
  await spend()
  ensureOpen(session)
  if (access === 'builder' && session.status !== 'active') throw conflict('Session is not active')
  checkPatchRules(input, access)

  const attachmentIds = [...new Set(input.attachmentIds ?? [])]
  let row: MessageRow
  try {
    row = await ctx.store.transaction(async (tx) => {
      const { body = input.text ?? '', ...patch } = await patchFields(tx, sessionId, input)
      const stored = await appendMessage(tx, sessionId, {
        client_id: input.id,
        author: access === 'owner' ? 'user' : 'builder',
        author_id: caller.userId,
        kind: attachmentIds.length > 0 ? 'file' : input.code ? 'code' : 'text',
        body,
        code_language: input.code?.language ?? null,
        code_content: input.code?.content ?? null,
        ...patch,
      })
      if (attachmentIds.length > 0) {
        const linked = await tx
          .updateTable('attachments')
          .set({ message_id: stored.id })
          .where('id', 'in', attachmentIds)
          .where('session_id', '=', sessionId)
          .where('uploader_id', '=', caller.userId)
          .where('message_id', 'is', null)
          .executeTakeFirst()
        if (Number(linked.numUpdatedRows) !== attachmentIds.length) {
          throw invalid(
            'Attachments must be uploaded to this session by you and not be used in another message',
          )
        }
      }
      return stored
    })
  } catch (error) {
    // A concurrent retry of the same id committed first: answer like any other retry.
    const winner = await findByClientId(ctx, caller.userId, input.id)
    if (!winner) throw error
    return { message: await replayOf(ctx, winner, sessionId), created: false }
  }
  const [message] = await withAttachments(ctx, [row])
  if (!message) throw new Error('stored message vanished')
  notifyMessage(ctx, participantsOf(session), message)
  return { message, created: true }
}

async function replayOf(ctx: Context, row: MessageRow, sessionId: string): Promise<Message> {
  if (row.session_id !== sessionId) throw conflict('This message id was already used in another session')
  const [message] = await withAttachments(ctx, [row])
  if (!message) throw new Error('stored message vanished')
  return message
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

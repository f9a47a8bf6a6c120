import type { Message, SendMessageRequest } from '@suportra/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import type { Tx } from '../db/database.js'
import { prepare } from '../db/prepared.js'
import type { MessageRow } from '../db/schema.js'
import { conflict, invalid } from '../errors.js'
import { newId } from '../ids.js'
import { notifyMessage, participantsOf } from '../sessions/notify.js'
import { patchColumns } from '../sessions/patch-rows.js'
import { type Access, checkAccess, ensureOpen } from '../sessions/sessions.js'
import { withAttachments } from './messages.js'
import { checkPatchRules, patchFields } from './patches.js'

/** What deciding a send needs of the session, and the caller's message already stored under the id. */
const sessionAndPrevious = prepare((db, sessionId: string, authorId: string, clientId: string) =>
  db
    .selectFrom('sessions as s')
    .leftJoin('messages as m', (join) =>
      join.on('m.author_id', '=', authorId).on('m.client_id', '=', clientId),
    )
    .select(['s.user_id', 's.builder_id', 's.status', 's.tool', 'm.id as previous'])
    .where('s.id', '=', sessionId),
)

const sessionState = prepare((db, sessionId: string) =>
  db.selectFrom('sessions').select(['user_id', 'builder_id', 'status', 'tool']).where('id', '=', sessionId),
)

/** Takes the session's next `seq`; the update locks the session row until the transaction ends. */
const bumpSeq = prepare((db, sessionId: string) =>
  db
    .updateTable('sessions')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
    .where('id', '=', sessionId)
    .returning('last_seq'),
)

/** Stores a message unless its author already stored one under its client id (then nothing, no row back). */
const insertOnce = prepare(
  (
    db,
    id: string,
    sessionId: string,
    seq: number,
    createdAt: number,
    clientId: string,
    author: MessageRow['author'],
    authorId: string,
    kind: MessageRow['kind'],
    body: string,
    codeLanguage: string | null,
    codeContent: string | null,
    patchDiff: string | null,
    patchDescription: string | null,
    patchResultOf: string | null,
    patchApplied: number | null,
    patchDetail: string | null,
  ) =>
    db
      .insertInto('messages')
      .values({
        id,
        session_id: sessionId,
        seq,
        created_at: createdAt,
        client_id: clientId,
        author,
        author_id: authorId,
        kind,
        body,
        code_language: codeLanguage,
        code_content: codeContent,
        patch_diff: patchDiff,
        patch_description: patchDescription,
        patch_result_of: patchResultOf,
        patch_applied: patchApplied,
        patch_detail: patchDetail,
      })
      .onConflict((oc) => oc.columns(['author_id', 'client_id']).doNothing())
      .returning('id'),
)

/** A concurrent send of the same id committed first: the transaction is rolled back and the send read again. */
class Raced extends Error {}

export interface Sent {
  /** In the order sent: the stored message of each input, new or stored before. */
  messages: Message[]
  /** `messages`, each as JSON. */
  json: string[]
  /** How many of them this call stored. */
  created: number
}

/**
 * Stores messages once per client id, in order, in one transaction (a single send is a batch of
 * one). Inputs whose id the caller already used get the stored message back; the same id in another
 * session is a conflict. `spend(n)` runs (and may throw, e.g. `rate_limited`) for the `n` messages
 * not stored yet, before anything is written: retries, which an outbox sends after every reconnect,
 * cost nothing. The new messages are fanned out in order once committed.
 *
 * The hot path is five statements, each compiled once: the session with the id's previous message,
 * then `BEGIN`, the `seq` bump, an `INSERT … ON CONFLICT DO NOTHING RETURNING` that folds the
 * idempotency check into the write, `COMMIT`.
 */
export async function storeMessages(
  ctx: Context,
  caller: Caller,
  sessionId: string,
  inputs: SendMessageRequest[],
  spend: (count: number) => Promise<void> = async () => {},
  attempt = 0,
): Promise<Sent> {
  const { db } = ctx.store
  const first = inputs.length === 1 ? inputs[0] : undefined
  // One statement for a single send (the session, and whether the id is stored); a batch looks up its ids apart.
  const session = first
    ? (await sessionAndPrevious(db, sessionId, caller.userId, first.id)).rows[0]
    : (await sessionState(db, sessionId)).rows[0]
  const access = await checkAccess(ctx, caller, session, ['owner', 'builder'])
  if (!session) throw new Error('unreachable: checkAccess refuses a missing session')
  const lookUp = first ? (session as { previous?: string | null }).previous : true
  const previous = lookUp
    ? await storedByClientId(
        ctx,
        caller.userId,
        inputs.map((m) => m.id),
      )
    : []
  for (const row of previous) {
    if (row.session_id !== sessionId) throw conflict('This message id was already used in another session')
  }
  const stored = new Map(previous.map((row) => [row.client_id, row]))
  const fresh = inputs.filter((input) => !stored.has(input.id))
  if (fresh.length > 0) {
    await spend(fresh.length)
    ensureOpen(session)
    if (access === 'builder' && session.status !== 'active') throw conflict('Session is not active')
    for (const input of fresh) checkPatchRules(input, access)
    try {
      const rows = await ctx.store.transaction(async (tx) => {
        const written: MessageRow[] = []
        for (const input of fresh) written.push(await insertMessage(tx, caller, sessionId, access, input))
        return written
      })
      for (const row of rows) stored.set(row.client_id, row)
    } catch (error) {
      if (!(error instanceof Raced)) throw error
      // Read again: what the other request stored is a retry's now (its spend is not charged again).
      if (attempt < 3) return storeMessages(ctx, caller, sessionId, inputs, spend, attempt + 1)
      throw conflict('These messages are being sent by another request at the same time; try again')
    }
  }
  const rows = inputs.map((input) => stored.get(input.id) as MessageRow)
  const messages = await withAttachments(ctx, rows)
  // Serialised once: the same JSON goes to every socket and into the answer.
  const json = messages.map((message) => JSON.stringify(message))
  const freshIds = new Set(fresh.map((input) => input.id))
  const users = participantsOf(session)
  messages.forEach((message, i) => {
    if (freshIds.has(message.clientId ?? '')) notifyMessage(ctx, users, message, json[i])
  })
  return { messages, json, created: fresh.length }
}

function storedByClientId(ctx: Context, authorId: string, clientIds: string[]): Promise<MessageRow[]> {
  return ctx.store.db
    .selectFrom('messages')
    .selectAll()
    .where('author_id', '=', authorId)
    .where('client_id', 'in', clientIds)
    .execute()
}

async function insertMessage(
  tx: Tx,
  caller: Caller,
  sessionId: string,
  access: Access,
  input: SendMessageRequest,
): Promise<MessageRow> {
  const bumped = (await bumpSeq(tx, sessionId)).rows[0]
  if (!bumped) throw conflict('Session no longer exists')
  const attachmentIds = [...new Set(input.attachmentIds ?? [])]
  const { body = input.text ?? '', ...patch } = await patchFields(tx, sessionId, input)
  const patchRow = patchColumns(patch)
  const row: MessageRow = {
    id: newId('msg'),
    session_id: sessionId,
    seq: bumped.last_seq,
    created_at: Date.now(),
    client_id: input.id,
    author: access === 'owner' ? 'user' : 'builder',
    author_id: caller.userId,
    kind: attachmentIds.length > 0 ? 'file' : input.code ? 'code' : 'text',
    body,
    code_language: input.code?.language ?? null,
    code_content: input.code?.content ?? null,
    ...patchRow,
  }
  const inserted = await insertOnce(
    tx,
    row.id,
    sessionId,
    row.seq,
    row.created_at,
    input.id,
    row.author,
    caller.userId,
    row.kind,
    row.body,
    row.code_language,
    row.code_content,
    patchRow.patch_diff,
    patchRow.patch_description,
    patchRow.patch_result_of,
    patchRow.patch_applied,
    patchRow.patch_detail,
  )
  // Stored meanwhile by a concurrent send of the same id: roll back (the seq bump too).
  if (inserted.rows.length === 0) throw new Raced()
  if (attachmentIds.length > 0) {
    const linked = await tx
      .updateTable('attachments')
      .set({ message_id: row.id })
      .where('id', 'in', attachmentIds)
      .where('session_id', '=', sessionId)
      .where('uploader_id', '=', caller.userId)
      .where('message_id', 'is', null)
      .executeTakeFirst()
    if (Number(linked.numUpdatedRows) !== attachmentIds.length) {
      throw invalid('Attachments must be uploaded to this session by you and not be used in another message')
    }
  }
  return row
}

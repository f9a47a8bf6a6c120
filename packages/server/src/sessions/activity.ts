import type { RateRequest, Session } from '@suportra/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { conflict } from '../errors.js'
import { queueSessionWebhook } from '../webhooks/outbox.js'
import {
  type Access,
  describeSession,
  describeSessions,
  type SessionRecord,
  sessionQuery,
} from './sessions.js'

/** A session as `loadSession` gives it: the row and how the caller relates to it. */
type Loaded = { row: SessionRecord; access: Access }

/** Sessions a list shows at most (newest first). */
const LIST_PAGE = 200

/** The sessions the caller started or serves, newest first. */
export async function listSessions(ctx: Context, caller: Caller): Promise<Session[]> {
  const rows = await sessionQuery(ctx.store)
    .where((eb) => eb.or([eb('s.user_id', '=', caller.userId), eb('s.builder_id', '=', caller.userId)]))
    .orderBy('s.created_at', 'desc')
    .limit(LIST_PAGE)
    .execute()
  return describeSessions(ctx, rows)
}

/**
 * The user rates their session (`row`, loaded for its owner) once it has been closed; a new rating
 * replaces the old one.
 */
export async function rateSession(ctx: Context, row: SessionRecord, input: RateRequest): Promise<Session> {
  if (row.status !== 'closed') throw conflict('Rate a session once it has been closed')
  const comment = input.comment ?? null
  // The rating and its webhook (`session.rated`, the score only) commit together.
  await ctx.store.transaction(async (tx) => {
    await tx
      .updateTable('sessions')
      .set({ rating_score: input.score, rating_comment: comment })
      .where('id', '=', row.id)
      .execute()
    await queueSessionWebhook(tx, row.id, 'rated')
  })
  return describeSession(ctx, { ...row, rating_score: input.score, rating_comment: comment })
}

/** Marks the session read up to `seq` for the caller's side (`access`), and tells the other side. */
export async function markRead(ctx: Context, caller: Caller, loaded: Loaded, seq: number): Promise<void> {
  const { row, access } = loaded
  const author = access === 'owner' ? 'user' : 'builder'
  const column = access === 'owner' ? 'user_read_seq' : 'builder_read_seq'
  const upTo = Math.min(seq, row.last_seq)
  await ctx.store.db
    .updateTable('sessions')
    .set({ [column]: upTo })
    .where('id', '=', row.id)
    .where(column, '<', upTo)
    .execute()
  ctx.bus.publish({
    kind: 'event',
    users: [row.user_id, row.builder_id].filter((id): id is string => id !== null && id !== caller.userId),
    event: { type: 'read', sessionId: row.id, author, seq: upTo },
  })
}

/** Tells the other side the caller is typing (quietly dropped past the typing rate limit). */
export async function sendTyping(ctx: Context, caller: Caller, loaded: Loaded): Promise<void> {
  const { row, access } = loaded
  const allowed = await ctx.limits.typing.consume(caller.userId).then(
    () => true,
    () => false,
  )
  const other = access === 'owner' ? row.builder_id : row.user_id
  if (allowed && other && row.status !== 'closed' && row.status !== 'cancelled') {
    ctx.bus.publish({
      kind: 'event',
      users: [other],
      event: {
        type: 'typing',
        sessionId: row.id,
        author: access === 'owner' ? 'user' : 'builder',
        userId: caller.userId,
      },
    })
  }
}

import type { Session, StartSessionRequest } from '@suportra/client/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { charge, settleHold } from '../credits/ledger.js'
import { notifyCredits } from '../credits/notify.js'
import type { Tx } from '../db/database.js'
import type { MessageRow } from '../db/schema.js'
import { queueEmail } from '../email/outbox.js'
import { sessionStarted } from '../email/templates.js'
import { conflict, DomainError, notFound } from '../errors.js'
import { newId } from '../ids.js'
import { toolsOf } from '../users/users.js'
import { notifyMessage, notifyQueue, notifySession, participantsOf } from './notify.js'
import { queueChanged } from './queue-position.js'
import {
  checkStart,
  describeSession,
  ensureOpen,
  loadSession,
  type SessionRecord,
  sessionQuery,
} from './sessions.js'
import { appendEvent, type SessionEvent, toMessage } from './transcript.js'

/** Runs a state change and its event message in one transaction, then tells everyone concerned. */
async function transition(
  ctx: Context,
  sessionId: string,
  change: (tx: Tx) => Promise<SessionEvent>,
): Promise<{ session: Session; record: SessionRecord }> {
  const event = await ctx.store.transaction(async (tx) => appendEvent(tx, sessionId, await change(tx)))
  const announced = await announce(ctx, event)
  if (!announced) throw notFound('Session')
  return announced
}

/**
 * After a state change committed: the session as it is now and the change's event message reach its
 * participants. Undefined if the session is gone meanwhile (its account was deleted).
 */
async function announce(
  ctx: Context,
  event: MessageRow,
): Promise<{ session: Session; record: SessionRecord } | undefined> {
  const record = await sessionQuery(ctx.store).where('s.id', '=', event.session_id).executeTakeFirst()
  if (!record) return undefined
  const session = await describeSession(ctx, record)
  notifySession(ctx, session)
  notifyMessage(ctx, participantsOf(record), toMessage(event, []))
  return { session, record }
}

/**
 * After a waiting session was cancelled (by its user, by expiry or by a refund's withdrawal) and the
 * change committed: its participants hear it and the builders' queue loses it. The caller then calls
 * `queueChanged` once for all it cancelled, so the users behind move up.
 */
export async function announceCancelled(ctx: Context, event: MessageRow): Promise<Session | undefined> {
  const announced = await announce(ctx, event)
  if (announced) notifyQueue(ctx, 'removed', announced.session)
  return announced?.session
}

/**
 * Starts a session and holds its cost. With an idempotency key, a retry returns the session the
 * first request created instead of starting (and charging) a second one.
 */
export async function startSession(
  ctx: Context,
  caller: Caller,
  input: StartSessionRequest,
  idempotencyKey: string | undefined,
): Promise<{ session: Session; created: boolean }> {
  checkStart(ctx, input)
  if (idempotencyKey) {
    const existing = await sessionQuery(ctx.store)
      .where('s.user_id', '=', caller.userId)
      .where('s.idempotency_key', '=', idempotencyKey)
      .executeTakeFirst()
    if (existing) return { session: await describeSession(ctx, existing), created: false }
  }
  const id = newId('ses')
  const { conversationCost, videoCost } = ctx.config
  const cost = input.kind === 'video' ? conversationCost + videoCost : conversationCost
  try {
    const { session } = await transition(ctx, id, async (tx) => {
      await tx
        .insertInto('sessions')
        .values({
          id,
          user_id: caller.userId,
          app_id: caller.appId,
          tool: input.tool,
          topic: input.topic,
          context: input.context ? JSON.stringify(input.context) : null,
          kind: input.kind ?? 'chat',
          status: 'waiting',
          builder_id: null,
          cost,
          idempotency_key: idempotencyKey ?? null,
          created_at: Date.now(),
          assigned_at: null,
          closed_at: null,
          rating_score: null,
          rating_comment: null,
          transcript_deleted_at: null,
        })
        .execute()
      await charge(ctx, tx, caller.userId, cost, { kind: 'hold', key: `hold:${id}`, reference: id })
      const user = await tx
        .selectFrom('users')
        .select(['name', 'email'])
        .where('id', '=', caller.userId)
        .executeTakeFirst()
      if (user?.email) {
        const tool = ctx.config.tools.find((t) => t.id === input.tool)?.name ?? input.tool
        await queueEmail(tx, {
          userId: caller.userId,
          to: user.email,
          kind: 'session_started',
          reference: id,
          ...sessionStarted({ name: user.name, topic: input.topic, tool }),
        })
      }
      return 'started'
    })
    notifyQueue(ctx, 'added', session)
    await notifyCredits(ctx, caller.userId)
    return { session, created: true }
  } catch (error) {
    // Two concurrent retries with one key: the loser hits the unique index; answer with the winner.
    if (idempotencyKey && isUniqueViolation(error)) return startSession(ctx, caller, input, idempotencyKey)
    throw error
  }
}

/** A builder claims a waiting session. Exactly one concurrent claim wins; it captures the hold. */
export async function claimSession(ctx: Context, caller: Caller, sessionId: string): Promise<Session> {
  const tools = await toolsOf(ctx.store, caller.userId)
  const row = await sessionQuery(ctx.store).where('s.id', '=', sessionId).executeTakeFirst()
  // A session of a tool the builder does not cover does not exist for them (as in GET and the queue).
  if (!row || !tools.includes(row.tool)) throw notFound('Session')
  if (row.status !== 'waiting') throw conflict('Session was already claimed or has ended')
  const { session } = await transition(ctx, sessionId, async (tx) => {
    const won = await tx
      .updateTable('sessions')
      .set({ status: 'active', builder_id: caller.userId, assigned_at: Date.now() })
      .where('id', '=', sessionId)
      .where('status', '=', 'waiting')
      .executeTakeFirst()
    if (won.numUpdatedRows === 0n) throw conflict('Session was already claimed or has ended')
    await settleHold(tx, row.user_id, row.cost, sessionId, 'capture')
    return 'claimed'
  })
  notifyQueue(ctx, 'removed', session)
  queueChanged(ctx, [row])
  return session
}

/** The user withdraws a waiting session; the hold is released. */
export async function cancelSession(ctx: Context, caller: Caller, sessionId: string): Promise<Session> {
  const { row } = await loadSession(ctx, caller, sessionId, ['owner'])
  if (row.status !== 'waiting') {
    throw conflict(
      row.status === 'active'
        ? 'A builder already joined; close the session instead'
        : `Session is ${row.status}`,
    )
  }
  return withdraw(ctx, row)
}

/**
 * Cancels sessions nobody claimed within the waiting timeout, releasing their holds. Safe to run on
 * several instances at once: each cancel is a conditional update, so a session expires once.
 */
export async function expireWaiting(ctx: Context): Promise<number> {
  const cutoff = Date.now() - ctx.config.waitingTimeoutMinutes * 60_000
  let expired = 0
  for (let batch = 0; ; batch++) {
    const stale = await sessionQuery(ctx.store)
      .where('s.status', '=', 'waiting')
      .where('s.created_at', '<', cutoff)
      .limit(100)
      .execute()
    expired += await withdrawAll(ctx, stale)
    if (stale.length < 100 || batch > 100) break
  }
  if (expired > 0) ctx.log.info({ expired }, 'unanswered sessions expired')
  return expired
}

async function withdrawAll(ctx: Context, rows: SessionRecord[]): Promise<number> {
  let withdrawn = 0
  for (const row of rows) {
    try {
      await withdraw(ctx, row)
      withdrawn++
    } catch (error) {
      // Claimed or cancelled meanwhile: nothing to do.
      if (!(error instanceof DomainError && error.code === 'conflict')) throw error
    }
  }
  return withdrawn
}

/** Cancels a waiting session and releases its hold, exactly once. */
async function withdraw(ctx: Context, row: SessionRecord): Promise<Session> {
  const sessionId = row.id
  const event = await ctx.store.transaction(async (tx) => {
    const done = await tx
      .updateTable('sessions')
      .set({ status: 'cancelled', closed_at: Date.now() })
      .where('id', '=', sessionId)
      .where('status', '=', 'waiting')
      .executeTakeFirst()
    if (done.numUpdatedRows === 0n) throw conflict('A builder joined just now; close the session instead')
    await settleHold(tx, row.user_id, row.cost, sessionId, 'release')
    return appendEvent(tx, sessionId, 'cancelled')
  })
  const session = await announceCancelled(ctx, event)
  queueChanged(ctx, [row])
  await notifyCredits(ctx, row.user_id)
  if (!session) throw notFound('Session')
  return session
}

/** Ends an active session (user or builder). A user closing a waiting session cancels it. */
export async function closeSession(ctx: Context, caller: Caller, sessionId: string): Promise<Session> {
  const { row } = await loadSession(ctx, caller, sessionId, ['owner', 'builder'])
  if (row.status === 'waiting') return cancelSession(ctx, caller, sessionId)
  ensureOpen(row)
  const { session } = await transition(ctx, sessionId, async (tx) => {
    const done = await tx
      .updateTable('sessions')
      .set({ status: 'closed', closed_at: Date.now() })
      .where('id', '=', sessionId)
      .where('status', '=', 'active')
      .executeTakeFirst()
    if (done.numUpdatedRows === 0n) throw conflict('Session already ended')
    return 'closed'
  })
  return session
}

/**
 * Upgrades an active chat to video: charges the video cost once (a second call returns the session
 * unchanged) and gives it a meeting link.
 */
export async function upgradeToVideo(ctx: Context, caller: Caller, sessionId: string): Promise<Session> {
  const { row } = await loadSession(ctx, caller, sessionId, ['owner'])
  if (row.kind === 'video') return describeSession(ctx, row)
  if (row.status !== 'active') throw conflict('Upgrade to video once a builder has joined')
  const { session } = await transition(ctx, sessionId, async (tx) => {
    const upgraded = await tx
      .updateTable('sessions')
      .set({ kind: 'video' })
      .where('id', '=', sessionId)
      .where('kind', '=', 'chat')
      .where('status', '=', 'active')
      .executeTakeFirst()
    if (upgraded.numUpdatedRows === 0n) throw conflict('Session changed; try again')
    await charge(ctx, tx, row.user_id, ctx.config.videoCost, {
      kind: 'video',
      key: `video:${sessionId}`,
      reference: sessionId,
    })
    return 'video'
  }).catch(async (error: unknown) => {
    // A concurrent upgrade (on this instance or another) committed first: answer as to a repeat.
    const { row: now } = await loadSession(ctx, caller, sessionId, ['owner'])
    if (now.kind !== 'video') throw error
    return { session: await describeSession(ctx, now) }
  })
  await notifyCredits(ctx, row.user_id)
  return session
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}

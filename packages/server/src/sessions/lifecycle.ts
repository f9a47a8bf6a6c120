import type { Session, StartSessionRequest } from '@suportra/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { charge, settleHold } from '../credits/ledger.js'
import { notifyCredits } from '../credits/notify.js'
import { isUniqueViolation } from '../db/database.js'
import { queueEmail } from '../email/outbox.js'
import { sessionStarted } from '../email/templates.js'
import { conflict, notFound } from '../errors.js'
import { newId } from '../ids.js'
import { toolsOf } from '../users/users.js'
import { transition } from './announce.js'
import { notifyQueue } from './notify.js'
import { queueChanged } from './queue-position.js'
import { checkStart, describeSession, ensureOpen, loadSession, sessionQuery } from './sessions.js'
import { cancelSession } from './withdraw.js'

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
          appId: caller.appId,
          ...sessionStarted({ name: user.name, topic: input.topic, tool }),
        })
      }
      return 'started'
    })
    notifyQueue(ctx, 'added', session)
    ctx.metrics.holds.inc({ outcome: 'placed' })
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
    // A session back in the queue (its builder was deactivated) was paid for at the first claim.
    const requeued = await tx
      .selectFrom('ledger')
      .select('id')
      .where('idempotency_key', '=', `settle:${sessionId}`)
      .executeTakeFirst()
    if (!requeued) await settleHold(tx, row.user_id, row.cost, sessionId, 'capture')
    return 'claimed'
  })
  notifyQueue(ctx, 'removed', session)
  queueChanged(ctx, [row])
  ctx.metrics.holds.inc({ outcome: 'captured' })
  ctx.metrics.queueWait.observe({ tool: row.tool }, (Date.now() - row.created_at) / 1000)
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

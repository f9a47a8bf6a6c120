import type { Session } from '@suportra/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { settleHold } from '../credits/ledger.js'
import { notifyCredits } from '../credits/notify.js'
import { conflict, DomainError, notFound } from '../errors.js'
import { announceCancelled } from './announce.js'
import { queueChanged } from './queue-position.js'
import { loadSession, type SessionRecord, sessionQuery } from './sessions.js'
import { appendEvent } from './transcript.js'

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
  ctx.metrics.holds.inc({ outcome: 'released' })
  const session = await announceCancelled(ctx, event)
  queueChanged(ctx, [row])
  await notifyCredits(ctx, row.user_id)
  if (!session) throw notFound('Session')
  return session
}

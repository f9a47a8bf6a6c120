import type { Session } from '@suportra/protocol'
import type { Context } from '../context.js'
import type { Tx } from '../db/database.js'
import type { MessageRow } from '../db/schema.js'
import { notFound } from '../errors.js'
import { notifyMessage, notifyQueue, notifySession, participantsOf } from './notify.js'
import { describeSession, type SessionRecord, sessionQuery } from './sessions.js'
import { appendEvent, type SessionEvent, toMessage } from './transcript.js'

/** Runs a state change and its event message in one transaction, then tells everyone concerned. */
export async function transition(
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

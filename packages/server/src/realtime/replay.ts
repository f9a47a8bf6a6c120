import type { RealtimeEvent } from '@suportra/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { messagesAfter, withAttachments } from '../messages/messages.js'
import { accessOf, findSessionState } from '../sessions/sessions.js'

/** Sessions replayed per (re)connect; the ones after them get `continuity_lost` and reload over HTTP. */
export const MAX_RESUMED_SESSIONS = 200

/**
 * Sends each session's messages after the client's last `seq`, or `continuity_lost`. Returns the
 * last `seq` replayed per session, so a live event the replay already carried is not sent twice.
 */
export async function replay(
  ctx: Context,
  caller: Caller,
  resume: Record<string, number>,
  send: (event: RealtimeEvent) => void,
): Promise<Map<string, number>> {
  const replayed = new Map<string, number>()
  const { store, config } = ctx
  const sessions = Object.entries(resume)
  for (const [sessionId, lastSeq] of sessions.slice(0, MAX_RESUMED_SESSIONS)) {
    const session = await findSessionState(store, sessionId)
    const access = session && accessOf(session, caller)
    if (!session || (access !== 'owner' && access !== 'builder')) {
      send({ type: 'continuity_lost', sessionId, reason: 'not_found' })
      continue
    }
    if (lastSeq > session.last_seq) {
      send({ type: 'continuity_lost', sessionId, reason: 'ahead_of_server' })
      continue
    }
    const rows = await messagesAfter(store, sessionId, lastSeq, config.resumeWindow + 1)
    if (rows.length > config.resumeWindow) {
      send({ type: 'continuity_lost', sessionId, reason: 'resume_window_exceeded' })
      continue
    }
    for (const message of await withAttachments(ctx, rows)) send({ type: 'message', message })
    replayed.set(sessionId, rows.at(-1)?.seq ?? lastSeq)
  }
  for (const [sessionId] of sessions.slice(MAX_RESUMED_SESSIONS))
    send({ type: 'continuity_lost', sessionId, reason: 'too_many_sessions' })
  return replayed
}

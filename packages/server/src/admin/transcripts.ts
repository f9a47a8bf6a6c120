import type { Context } from '../context.js'
import { newId } from '../ids.js'
import { UsageError } from './usage-error.js'

/** `support: …` or `safety: …` (the privacy policy's two purposes), with something after the colon. */
const REASON = /^(support|safety):\s*\S.{2,}$/s

/**
 * `transcripts show`: staff read a session's transcript only for support or safety, on the record.
 * The audit row (who, when, why) is written before anything is printed, and the session's user sees
 * it in their data export. Without a valid reason nothing is read.
 */
export async function showTranscript(
  ctx: Context,
  input: { sessionId: string; reason: string | undefined; staff: string },
) {
  const reason = input.reason?.trim() ?? ''
  if (!REASON.test(reason))
    throw new UsageError(
      '--reason is required: "support: <why>" or "safety: <why>" (it is recorded and shown to the user)',
    )
  const session = await ctx.store.db
    .selectFrom('sessions')
    .select(['id', 'user_id', 'tool', 'status', 'created_at', 'transcript_deleted_at'])
    .where('id', '=', input.sessionId)
    .executeTakeFirst()
  if (!session) throw new Error(`No session ${input.sessionId}`)
  await ctx.store.db
    .insertInto('staff_access')
    .values({
      id: newId('sta'),
      session_id: session.id,
      user_id: session.user_id,
      staff: input.staff.slice(0, 200),
      reason: reason.slice(0, 1000),
      created_at: Date.now(),
    })
    .execute()
  const messages = await ctx.store.db
    .selectFrom('messages')
    .select(['seq', 'author', 'kind', 'body', 'code_language', 'code_content', 'created_at'])
    .where('session_id', '=', session.id)
    .orderBy('seq')
    .execute()
  return { session, messages }
}

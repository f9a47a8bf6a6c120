import type { Context } from '../context.js'

/** The staff accesses to a user's transcripts, for their data export (written by
 * `suportra-server transcripts show`, admin/transcripts.ts). */
export function staffAccessOf(ctx: Context, userId: string) {
  return ctx.store.db
    .selectFrom('staff_access')
    .select(['session_id as sessionId', 'staff', 'reason', 'created_at as at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute()
}

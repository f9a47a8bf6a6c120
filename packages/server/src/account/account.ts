import type { ExpressionBuilder } from 'kysely'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { listTransactions } from '../credits/ledger.js'
import type { DB } from '../db/schema.js'
import { conflict, unauthorized } from '../errors.js'
import { withAttachments } from '../messages/messages.js'
import { describeSessions, loadSession, sessionQuery } from '../sessions/sessions.js'
import { toAttachment } from '../sessions/transcript.js'
import { findUser, toUser } from '../users/users.js'
import { forgetUserEvents, queueWebhook } from '../webhooks/outbox.js'
import { staffAccessOf } from './staff-access.js'

/** Everything stored about the caller, as one JSON document (the right to access and export). */
export async function exportAccount(ctx: Context, caller: Caller) {
  const { db } = ctx.store
  const user = await findUser(ctx.store, caller.userId)
  if (!user) throw unauthorized('Account no longer exists')
  const rows = await sessionQuery(ctx.store)
    .where((eb) => eb.or([eb('s.user_id', '=', caller.userId), eb('s.builder_id', '=', caller.userId)]))
    .orderBy('s.created_at')
    .execute()
  const described = await describeSessions(ctx, rows)
  const sessions = await Promise.all(
    rows.map(async (row, index) => {
      const messages = await db
        .selectFrom('messages')
        .selectAll()
        .where('session_id', '=', row.id)
        .orderBy('seq')
        .execute()
      return { ...described[index], messages: await withAttachments(ctx, messages) }
    }),
  )
  const uploads = await db
    .selectFrom('attachments')
    .selectAll()
    .where('uploader_id', '=', caller.userId)
    .execute()
  const signIns = await db
    .selectFrom('refresh_families')
    .select(['id', 'app_id', 'created_at', 'revoked_at', 'revoked_reason'])
    .where('user_id', '=', caller.userId)
    .execute()
  const audits = await db.selectFrom('audits').selectAll().where('user_id', '=', caller.userId).execute()
  const purchases = await db
    .selectFrom('purchases')
    .selectAll()
    .where('user_id', '=', caller.userId)
    .execute()
  const passwordResets = await db
    .selectFrom('password_resets')
    .select(['id', 'app_id', 'created_at', 'expires_at', 'used_at'])
    .where('user_id', '=', caller.userId)
    .execute()
  const emails = await db
    .selectFrom('emails')
    .select(['id', 'to_address', 'kind', 'subject', 'body', 'status', 'created_at', 'sent_at'])
    .where('user_id', '=', caller.userId)
    .execute()
  return {
    exportedAt: Date.now(),
    user: { ...toUser(user), ageConfirmedAt: user.age_confirmed_at },
    sessions,
    attachments: uploads.map(toAttachment),
    transactions: await listTransactions(db, caller.userId, Number.MAX_SAFE_INTEGER),
    signIns,
    audits: audits.map((a) => ({ ...a, tools: JSON.parse(a.tools) as string[] })),
    purchases,
    // Only when each link was asked for and used: the tokens themselves are not stored.
    passwordResets,
    emails,
    staffAccess: await staffAccessOf(ctx, caller.userId),
  }
}

/**
 * Deletes the account: the user's transcripts, files, sign-ins, emails and stack audits go; billing
 * rows (ledger, purchases) stay (seven years, by law) with the user id removed. Every sign-in is revoked first, so open
 * sockets close and old tokens stop working. A user of a vendor's app leaves a `user.deleted`
 * webhook, in the same transaction; `source` says who asked (the user, or the vendor's server API).
 */
export async function deleteAccount(
  ctx: Context,
  caller: Pick<Caller, 'userId'>,
  source: 'user' | 'api' = 'user',
): Promise<void> {
  const user = await findUser(ctx.store, caller.userId)
  if (!user) throw unauthorized('Account no longer exists')
  await ctx.tokens.revokeUser(caller.userId, 'account_deleted')
  const files = await ctx.store.transaction(async (tx) => {
    const owned = tx.selectFrom('sessions').select('id').where('user_id', '=', caller.userId)
    const mine = (eb: ExpressionBuilder<DB, 'attachments'>) =>
      eb.or([eb('session_id', 'in', owned), eb('uploader_id', '=', caller.userId)])
    const attachments = await tx.selectFrom('attachments').select('id').where(mine).execute()
    await tx.deleteFrom('attachments').where(mine).execute()
    await tx.deleteFrom('messages').where('session_id', 'in', owned).execute()
    await tx.deleteFrom('sessions').where('user_id', '=', caller.userId).execute()
    // Sessions this person served as a builder stay with their users, without the builder's name.
    await tx
      .updateTable('sessions')
      .set({ builder_id: null })
      .where('builder_id', '=', caller.userId)
      .execute()
    const families = tx.selectFrom('refresh_families').select('id').where('user_id', '=', caller.userId)
    await tx.deleteFrom('refresh_tokens').where('family_id', 'in', families).execute()
    await tx.deleteFrom('refresh_families').where('user_id', '=', caller.userId).execute()
    await tx.deleteFrom('audits').where('user_id', '=', caller.userId).execute()
    await tx.deleteFrom('password_resets').where('user_id', '=', caller.userId).execute()
    await tx.updateTable('ledger').set({ user_id: null }).where('user_id', '=', caller.userId).execute()
    await tx.updateTable('purchases').set({ user_id: null }).where('user_id', '=', caller.userId).execute()
    await tx.deleteFrom('emails').where('user_id', '=', caller.userId).execute()
    // Staff reads stay on the record (accountability), no longer tied to the person.
    await tx.updateTable('staff_access').set({ user_id: null }).where('user_id', '=', caller.userId).execute()
    await tx.deleteFrom('notice_deliveries').where('user_id', '=', caller.userId).execute()
    await tx.deleteFrom('users').where('id', '=', caller.userId).execute()
    // Webhook events about them (sessions, grants) go too, sent or not; user.deleted is the last one.
    await forgetUserEvents(tx, caller.userId)
    if (user.app_id) {
      await queueWebhook(tx, {
        appId: user.app_id,
        type: 'user.deleted',
        data: { userId: user.id, externalId: user.external_id, source },
      })
    }
    return attachments
  })
  await ctx.files.remove(files.map((file) => file.id))
  await ctx.store.scrubDeleted?.()
  ctx.log.info({ userId: caller.userId }, 'account deleted')
}

/**
 * Deletes a transcript the caller owns: its messages and files go; the session row stays (without
 * topic and context) because the credit ledger refers to it. Only once the session has ended.
 */
export async function deleteTranscript(ctx: Context, caller: Caller, sessionId: string): Promise<void> {
  const { row } = await loadSession(ctx, caller, sessionId, ['owner'])
  if (row.status === 'waiting' || row.status === 'active')
    throw conflict('End the session before deleting its transcript')
  const files = await ctx.store.transaction(async (tx) => {
    const attachments = await tx
      .selectFrom('attachments')
      .select('id')
      .where('session_id', '=', sessionId)
      .execute()
    await tx.deleteFrom('attachments').where('session_id', '=', sessionId).execute()
    await tx.deleteFrom('messages').where('session_id', '=', sessionId).execute()
    // The confirmation email quoted the topic (and the away email linked to the page it started on).
    await tx.deleteFrom('emails').where('reference', '=', sessionId).execute()
    await tx
      .updateTable('sessions')
      .set({
        topic: '',
        context: null,
        rating_comment: null,
        return_url: null,
        transcript_deleted_at: Date.now(),
      })
      .where('id', '=', sessionId)
      .execute()
    return attachments
  })
  await ctx.files.remove(files.map((file) => file.id))
  await ctx.store.scrubDeleted?.()
}

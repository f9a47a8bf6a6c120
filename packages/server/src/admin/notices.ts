import { createHash } from 'node:crypto'
import type { Context } from '../context.js'
import { queueEmail } from '../email/outbox.js'
import { policyNotice } from '../email/templates.js'

const BATCH = 200

/**
 * `notify-policy-change`: queues the notice to every registered user with an email address, through
 * the outbox. The notice id is derived from its subject and body (or given), and each (notice, user)
 * is recorded with its email in one transaction, unique: run it again after an interruption and it
 * continues where it stopped, never emailing anyone twice.
 */
export async function notifyPolicyChange(
  ctx: Context,
  input: { subject: string; body: string; noticeId?: string; onProgress?: (queued: number) => void },
) {
  if (!input.subject.trim() || !input.body.trim()) throw new Error('The notice needs a subject and a body')
  const id =
    input.noticeId ??
    `ntc_${createHash('sha256').update(`${input.subject}\n${input.body}`).digest('base64url').slice(0, 16)}`
  await ctx.store.db
    .insertInto('notices')
    .values({ id, subject: input.subject, body: input.body, created_at: Date.now() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
  const { template } = policyNotice(input)
  let queued = 0
  let after = ''
  for (;;) {
    // Registered users not yet reached by this notice, in id order (stable across runs).
    const users = await ctx.store.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', 'is not', null)
      .where('id', '>', after)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('notice_deliveries')
              .select('notice_deliveries.user_id')
              .where('notice_deliveries.notice_id', '=', id)
              .whereRef('notice_deliveries.user_id', '=', 'users.id'),
          ),
        ),
      )
      .orderBy('id')
      .limit(BATCH)
      .execute()
    if (users.length === 0) break
    for (const user of users) {
      const done = await ctx.store.transaction(async (tx) => {
        const claimed = await tx
          .insertInto('notice_deliveries')
          .values({ notice_id: id, user_id: user.id, email_id: '', created_at: Date.now() })
          .onConflict((oc) => oc.columns(['notice_id', 'user_id']).doNothing())
          .returning('user_id')
          .executeTakeFirst()
        if (!claimed) return false // another run reached this user first
        const emailId = await queueEmail(tx, {
          userId: user.id,
          to: user.email as string,
          kind: 'policy_notice',
          reference: id,
          template,
        })
        await tx
          .updateTable('notice_deliveries')
          .set({ email_id: emailId })
          .where('notice_id', '=', id)
          .where('user_id', '=', user.id)
          .execute()
        return true
      })
      if (!done) continue
      queued++
      input.onProgress?.(queued)
    }
    after = users.at(-1)?.id ?? after
  }
  const total = await ctx.store.db
    .selectFrom('notice_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('notice_id', '=', id)
    .executeTakeFirstOrThrow()
  return { id, queued, total: Number(total.n) }
}

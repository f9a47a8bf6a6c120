import type { AuditRequest } from '@suportra/protocol'
import type { Context } from '../context.js'
import { queueEmail } from '../email/outbox.js'
import { auditReceived } from '../email/templates.js'
import { newId } from '../ids.js'

/** Stores a stack audit request and queues its confirmation email, in one transaction. */
export async function createAudit(
  ctx: Context,
  userId: string | null,
  input: AuditRequest,
): Promise<{ id: string; createdAt: number }> {
  const audit = { id: newId('aud'), createdAt: Date.now() }
  await ctx.store.transaction(async (tx) => {
    await tx
      .insertInto('audits')
      .values({
        id: audit.id,
        user_id: userId,
        email: input.email,
        building: input.building,
        tools: JSON.stringify(input.tools),
        blockers: input.blockers,
        created_at: audit.createdAt,
      })
      .execute()
    await queueEmail(tx, { userId, to: input.email, kind: 'audit', ...auditReceived() })
  })
  ctx.log.info({ auditId: audit.id }, 'stack audit received')
  return audit
}

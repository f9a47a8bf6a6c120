import { AuditRequest } from '@suportra/protocol'
import { Hono } from 'hono'
import { clientIp, type Env, readJson, requireCaller } from '../http/request.js'
import { consume } from '../rate-limit.js'
import { createAudit } from './audits.js'

/** `POST /v1/audits`: a stack audit request, from anyone (limited per address and per email). */
export const auditRoutes = new Hono<Env>().post('/', async (c) => {
  const ctx = c.get('ctx')
  await consume(ctx.limits.auditsPerIp, clientIp(c), 'stack audits from this address')
  const input = await readJson(c, AuditRequest)
  // Anonymous by design; a signed-in sender owns the audit (and its confirmation email).
  const userId = c.req.header('authorization') ? (await requireCaller(c)).userId : null
  await consume(ctx.limits.auditsPerEmail, input.email, 'stack audits for this email')
  return c.json({ audit: await createAudit(ctx, userId, input) }, 201)
})

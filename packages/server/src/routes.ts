import { AuditRequest, UpdateAccountRequest } from '@suportra/client/protocol'
import { Hono } from 'hono'
import { deleteAccount, exportAccount } from './account/account.js'
import { updateAccount } from './account/update.js'
import { balanceOf, listTransactions } from './credits/ledger.js'
import { queueEmail } from './email/outbox.js'
import { auditReceived } from './email/templates.js'
import { clientIp } from './http/client-ip.js'
import { consume } from './http/rate-limit.js'
import { type Env, expectNoBody, readJson, requireBuilder, requireCaller } from './http/request.js'
import { newId } from './ids.js'
import { openAttachment } from './messages/attachments.js'
import { claimSession } from './sessions/lifecycle.js'
import { sessionQuery, toolsOf, toSession } from './sessions/sessions.js'
import { toUser } from './users/users.js'

export const accountRoutes = new Hono<Env>()
  .post('/', async (c) => {
    const caller = await requireCaller(c)
    const input = await readJson(c, UpdateAccountRequest)
    const user = await updateAccount(c.get('ctx'), caller, input, clientIp(c))
    return c.json({ user: toUser(user) })
  })
  .get('/export', async (c) => c.json(await exportAccount(c.get('ctx'), await requireCaller(c))))
  .delete('/', async (c) => {
    const caller = await requireCaller(c)
    await expectNoBody(c)
    await deleteAccount(c.get('ctx'), caller)
    return c.json({ ok: true })
  })

export const toolRoutes = new Hono<Env>().get('/', (c) => c.json({ tools: c.get('ctx').config.tools }))

export const creditRoutes = new Hono<Env>()
  .get('/', async (c) => {
    const caller = await requireCaller(c)
    return c.json({ balance: await balanceOf(c.get('ctx').store.db, caller.userId) })
  })
  .get('/transactions', async (c) => {
    const caller = await requireCaller(c)
    return c.json({ transactions: await listTransactions(c.get('ctx').store.db, caller.userId) })
  })

export const builderRoutes = new Hono<Env>()
  .get('/queue', async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireBuilder(c)
    const tools = await toolsOf(ctx.store, caller.userId)
    const rows =
      tools.length === 0
        ? []
        : await sessionQuery(ctx.store)
            .where('s.status', '=', 'waiting')
            .where('s.tool', 'in', tools)
            .orderBy('s.created_at', 'asc')
            .limit(200)
            .execute()
    return c.json({ queue: await Promise.all(rows.map((row) => toSession(ctx, row))) })
  })
  .post('/sessions/:id/claim', async (c) => {
    const caller = await requireBuilder(c)
    await expectNoBody(c)
    return c.json({ session: await claimSession(c.get('ctx'), caller, c.req.param('id')) })
  })

export const attachmentRoutes = new Hono<Env>().get('/:id', async (c) => {
  const caller = await requireCaller(c)
  const { attachment, stream } = await openAttachment(c.get('ctx'), caller, c.req.param('id'))
  return new Response(stream as ReadableStream, {
    headers: {
      'content-type': attachment.type,
      'content-length': String(attachment.size),
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(attachment.name)}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, no-store',
    },
  })
})

export const auditRoutes = new Hono<Env>().post('/', async (c) => {
  const ctx = c.get('ctx')
  await consume(ctx.limits.auditsPerIp, clientIp(c), 'stack audits from this address')
  const input = await readJson(c, AuditRequest)
  // Anonymous by design; a signed-in sender owns the audit (and its confirmation email).
  const userId = c.req.header('authorization') ? (await requireCaller(c)).userId : null
  await consume(ctx.limits.auditsPerEmail, input.email, 'stack audits for this email')
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
  return c.json({ audit }, 201)
})

import { ClientId, RateRequest, ReadRequest, StartSessionRequest } from '@suportra/protocol'
import { Hono } from 'hono'
import { recordOrigin } from '../away/return-url.js'
import { parse } from '../errors.js'
import { type C, type Env, expectNoBody, readJson, requireCaller, requireCustomer } from '../http/request.js'
import { listSessions, markRead, rateSession, sendTyping } from './activity.js'
import { closeSession, startSession, upgradeToVideo } from './lifecycle.js'
import { describeSession, loadSession } from './sessions.js'
import { cancelSession } from './withdraw.js'

const sessionIdOf = (c: C) => c.req.param('id') ?? ''

/** `/v1/tools`: the tools sessions can be about. */
export const toolRoutes = new Hono<Env>().get('/', (c) => c.json({ tools: c.get('ctx').config.tools }))

/** `/v1/sessions`: start, list, read and change sessions (their messages: `messages/routes.ts`). */
export const sessionRoutes = new Hono<Env>()
  .post('/', async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireCustomer(c, 'start sessions')
    const input = await readJson(c, StartSessionRequest)
    const key = c.req.header('idempotency-key')
    const { session, created } = await startSession(
      ctx,
      caller,
      input,
      key === undefined ? undefined : parse(ClientId, key, 'Idempotency-Key'),
    )
    if (created)
      await recordOrigin(ctx, {
        sessionId: session.id,
        appId: caller.appId,
        returnUrl: input.returnUrl,
        acceptLanguage: c.req.header('accept-language'),
      })
    return c.json({ session }, created ? 201 : 200)
  })

  .get('/', async (c) => {
    const caller = await requireCaller(c)
    return c.json({ sessions: await listSessions(c.get('ctx'), caller) })
  })

  .get('/:id', async (c) => {
    const ctx = c.get('ctx')
    const { row } = await loadSession(ctx, await requireCaller(c), sessionIdOf(c))
    return c.json({ session: await describeSession(ctx, row) })
  })

  .post('/:id/cancel', async (c) => {
    const caller = await requireCaller(c)
    await expectNoBody(c)
    const session = await cancelSession(c.get('ctx'), caller, sessionIdOf(c))
    return c.json({ session })
  })

  .post('/:id/video', async (c) => {
    const caller = await requireCaller(c)
    await expectNoBody(c)
    const session = await upgradeToVideo(c.get('ctx'), caller, sessionIdOf(c))
    return c.json({ session })
  })

  .post('/:id/close', async (c) => {
    const caller = await requireCaller(c)
    await expectNoBody(c)
    const session = await closeSession(c.get('ctx'), caller, sessionIdOf(c))
    return c.json({ session })
  })

  .post('/:id/rating', async (c) => {
    const ctx = c.get('ctx')
    const { row } = await loadSession(ctx, await requireCaller(c), sessionIdOf(c), ['owner'])
    const input = await readJson(c, RateRequest)
    return c.json({ session: await rateSession(ctx, row, input) })
  })

  .post('/:id/read', async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireCaller(c)
    const loaded = await loadSession(ctx, caller, sessionIdOf(c), ['owner', 'builder'])
    const { seq } = await readJson(c, ReadRequest)
    await markRead(ctx, caller, loaded, seq)
    return c.json({ ok: true })
  })

  .post('/:id/typing', async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireCaller(c)
    await expectNoBody(c)
    await sendTyping(ctx, caller, await loadSession(ctx, caller, sessionIdOf(c), ['owner', 'builder']))
    return c.json({ ok: true })
  })

import { Hono } from 'hono'
import { type Env, expectNoBody, requireBuilder } from '../http/request.js'
import { claimSession } from '../sessions/lifecycle.js'
import { builderQueue } from './queue.js'

/** `/v1/builder`: the queue of a builder's tools, and claiming a session from it. */
export const builderRoutes = new Hono<Env>()
  .get('/queue', async (c) => {
    const caller = await requireBuilder(c)
    return c.json({ queue: await builderQueue(c.get('ctx'), caller) })
  })
  .post('/sessions/:id/claim', async (c) => {
    const caller = await requireBuilder(c)
    await expectNoBody(c)
    return c.json({ session: await claimSession(c.get('ctx'), caller, c.req.param('id')) })
  })

import { UpdateAccountRequest } from '@suportra/protocol'
import { Hono } from 'hono'
import { clientIp, type Env, expectNoBody, readJson, requireCaller } from '../http/request.js'
import { toUser } from '../users/users.js'
import { deleteAccount, deleteTranscript, exportAccount } from './account.js'
import { updateAccount } from './update.js'

/** `/v1/account`: change, export or delete the caller's account. */
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

/** `DELETE /v1/sessions/:id/transcript`: a user erases what a finished session held. */
export const transcriptRoutes = new Hono<Env>().delete('/:id/transcript', async (c) => {
  const caller = await requireCaller(c)
  await expectNoBody(c)
  await deleteTranscript(c.get('ctx'), caller, c.req.param('id'))
  return c.json({ ok: true })
})

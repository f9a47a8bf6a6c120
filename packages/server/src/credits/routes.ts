import { Hono } from 'hono'
import { type Env, requireCaller } from '../http/request.js'
import { balanceOf, listTransactions } from './ledger.js'

/** `/v1/credits`: the caller's balance and their ledger. */
export const creditRoutes = new Hono<Env>()
  .get('/', async (c) => {
    const caller = await requireCaller(c)
    return c.json({ balance: await balanceOf(c.get('ctx').store.db, caller.userId) })
  })
  .get('/transactions', async (c) => {
    const caller = await requireCaller(c)
    return c.json({ transactions: await listTransactions(c.get('ctx').store.db, caller.userId) })
  })

// SQL statements per request, counted by a Kysely plugin on the server (`queryPlugins`): the
// builder's queue page with 2 and with 200 sessions waiting (it must not grow with the queue), and
// one message send (the hot path). BEGIN and COMMIT do not pass through plugins and are not counted.
// In process (no timing is measured), SQLite in memory.
// Usage: node bench/queries.mjs   (prints JSON)
import { startServer } from '@suportra/server'
import { insertWaitingSessions } from '@suportra/server/testing'
import { pino } from 'pino'
import { call, DEMO_BUILDER, identifyUsers, signIn } from './lib/api.mjs'

let counting = false
let count = 0
const counter = {
  transformQuery({ node }) {
    if (counting) count++
    return node
  },
  transformResult: async ({ result }) => result,
}
const server = await startServer({
  port: 0,
  db: ':memory:',
  seed: 'demo',
  queryPlugins: [counter],
  logger: pino({ level: 'silent' }),
})
await server.mailer.stop()
const during = async (fn) => {
  count = 0
  counting = true
  try {
    await fn()
    return count
  } finally {
    counting = false
  }
}

try {
  const { db } = server.context.store
  const builder = await signIn(server.url, DEMO_BUILDER)
  const queue = () => call(server.url, 'GET', '/v1/builder/queue', { token: builder.accessToken })
  // Each request below is the second with its token: verified tokens are remembered.
  await queue()

  const waiting = async (count, from) => {
    const now = Date.now()
    const ids = Array.from({ length: count }, (_, i) => from + i)
    await db
      .insertInto('users')
      .values(
        ids.map((i) => ({
          ...{
            id: `usr_q_${i}`,
            name: `Waiting ${i}`,
            email: `q-${i}@example.com`,
            login_email: `q-${i}@example.com`,
          },
          ...{
            password_hash: null,
            role: 'user',
            tools: '[]',
            app_id: null,
            external_id: null,
            created_at: now,
          },
        })),
      )
      .execute()
    await insertWaitingSessions(
      db,
      ids.map((i) => ({
        id: `ses_q_${String(i).padStart(4, '0')}`,
        userId: `usr_q_${i}`,
        tool: 'cursor',
        topic: `Blocker ${i}`,
        createdAt: now + i,
      })),
    )
  }
  await waiting(2, 0)
  const two = await during(queue)
  await waiting(198, 2)
  const twoHundred = await during(queue)

  // One send in an active session (a user identified, granted, started, claimed).
  const [user] = await identifyUsers(server, 1, `queries-${Date.now()}`)
  await db
    .insertInto('ledger')
    .values({
      id: 'txn_q',
      user_id: user.user.id,
      kind: 'grant',
      amount: 1,
      idempotency_key: 'q',
      reference: 'bench',
      created_at: Date.now(),
    })
    .execute()
  const { session } = await call(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'claude-code', topic: 'queries' },
  })
  await call(server.url, 'POST', `/v1/builder/sessions/${session.id}/claim`, { token: builder.accessToken })
  const send = (id) =>
    call(server.url, 'POST', `/v1/sessions/${session.id}/messages`, {
      token: user.accessToken,
      body: { id, text: 'hi' },
    })
  await send('warm-0001')
  const sendCount = await during(() => send('count-0001'))
  const retryCount = await during(() => send('count-0001'))
  console.log(
    JSON.stringify({ queue: { 2: two, 200: twoHundred }, send: sendCount, retry: retryCount }, null, 2),
  )
} finally {
  await server.close()
}

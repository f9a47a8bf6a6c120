import {
  api,
  createUser,
  DEMO,
  insertWaitingSessions,
  signIn,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import type { KyselyPlugin, RootOperationNode } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'

// A builder's queue page costs the same number of SQL statements however many sessions wait in it:
// the places in the queue are read for the whole page at once, not two statements per session.

/** Counts the statements the server sends to its database while `counting` is on. */
function statementCounter() {
  const seen: string[] = []
  let counting = false
  const plugin: KyselyPlugin = {
    transformQuery({ node }): RootOperationNode {
      if (counting) seen.push(node.kind)
      return node
    },
    transformResult: async ({ result }) => result,
  }
  return {
    plugin,
    async during<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
      seen.length = 0
      counting = true
      try {
        return { result: await fn(), statements: [...seen] }
      } finally {
        counting = false
      }
    },
  }
}

const counter = statementCounter()
let server: TestServer
let builderToken: string

beforeAll(async () => {
  server = await startTestServer({ queryPlugins: [counter.plugin] })
  // The outbox's timer would add its own statements to a count.
  await server.current.mailer.stop()
  builderToken = (await signIn(server.url, DEMO.builder.email, DEMO.builder.password)).accessToken
  // Verified once here: the server remembers the token, so neither count holds its check.
  await api(server.url, 'GET', '/v1/me', { token: builderToken })
})
afterAll(() => server?.close())

async function queuePage() {
  return counter.during(() => api(server.url, 'GET', '/v1/builder/queue', { token: builderToken }))
}

/** `count` more waiting sessions, each of its own user, written straight to the database. */
async function addWaiting(count: number, from: number) {
  const { db } = server.current.context.store
  const start = Date.now()
  const ids = Array.from({ length: count }, (_, i) => from + i)
  await db
    .insertInto('users')
    .values(
      ids.map((i) => ({
        id: `usr_queue_${i}`,
        name: `Waiting ${i}`,
        email: `waiting-${i}@example.com`,
        login_email: `waiting-${i}@example.com`,
        password_hash: null,
        role: 'user' as const,
        tools: '[]',
        app_id: null,
        external_id: null,
        created_at: start,
      })),
    )
    .execute()
  await insertWaitingSessions(
    db,
    ids.map((i) => ({
      id: `ses_queue_${String(i).padStart(4, '0')}`,
      userId: `usr_queue_${i}`,
      tool: 'lovable',
      topic: `Blocker ${i}`,
      createdAt: start + i,
    })),
  )
}

test('GET /v1/builder/queue issues as many statements for 200 waiting sessions as for 2', async () => {
  // Two sessions started through the API, as users start them.
  for (const name of ['Ada', 'Bea']) {
    const user = await createUser(server, { name: `${name} Example`, credits: 2 })
    const started = await api(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'lovable', topic: `${name}'s blocker` },
    })
    expect(started.status).toBe(201)
  }
  const two = await queuePage()
  expect(two.result.status).toBe(200)
  expect(two.result.body.queue).toHaveLength(2)

  await addWaiting(198, 2)
  const many = await queuePage()
  expect(many.result.status).toBe(200)
  const queue = many.result.body.queue as { queue: { position: number } }[]
  expect(queue).toHaveLength(200)
  // Every session is told its own place, oldest first.
  expect(queue.map((session) => session.queue.position)).toEqual(queue.map((_, index) => index + 1))

  console.info(`statements for 2 waiting: ${two.statements.length}, for 200: ${many.statements.length}`)
  expect(many.statements).toEqual(two.statements)
})

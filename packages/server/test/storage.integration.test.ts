import {
  allMessages,
  api,
  createUser,
  DEMO,
  signIn,
  startTestServer,
  type TestServer,
  testDialect,
} from '@suportra/server/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { migrations } from '../src/db/migrations.js'

// What the storage layer does the same on SQLite and PostgreSQL (this file runs on both).

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

test(`text with a NUL character is stored, with U+FFFD in its place (${testDialect()})`, async () => {
  // PostgreSQL refuses U+0000 in text; without the storage layer's care this was a 500 there.
  const user = await createUser(server, { credits: 1 })
  const grace = await signIn(server.url, DEMO.builder.email)
  const started = await api(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'cursor', topic: 'nul\u0000topic', context: { error: 'a\u0000b' } },
  })
  expect(started.status).toBe(201)
  const id: string = started.body.session.id
  expect(
    (await api(server.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: grace.accessToken })).status,
  ).toBe(200)
  const sent = await api(server.url, 'POST', `/v1/sessions/${id}/messages`, {
    token: user.accessToken,
    body: { id: 'nul-0001', text: '\u0000<script>x</script>', code: { language: 'ts', content: 'a\u0000b' } },
  })
  expect(sent.status).toBe(201)
  expect(sent.body.message.body).toBe('\uFFFD<script>x</script>')

  const session = (await api(server.url, 'GET', `/v1/sessions/${id}`, { token: user.accessToken })).body
    .session
  expect(session.topic).toBe('nul\uFFFDtopic')
  expect(session.context).toEqual({ error: 'a\uFFFDb' })
  const stored = (await allMessages(server.url, user.accessToken, id)).find((m) => m.clientId === 'nul-0001')
  expect(stored).toMatchObject({ body: '\uFFFD<script>x</script>', code: { content: 'a\uFFFDb' } })
  // A retry with the same id is recognised (the lookup compares the cleaned text the same way).
  const again = await api(server.url, 'POST', `/v1/sessions/${id}/messages`, {
    token: user.accessToken,
    body: { id: 'nul-0001', text: '\u0000<script>x</script>', code: { language: 'ts', content: 'a\u0000b' } },
  })
  expect(again.status).toBe(200)
  expect(again.body.message.seq).toBe(stored?.seq)
})

test.skipIf(testDialect() !== 'sqlite')('SQLite runs in WAL mode', async () => {
  const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(
    server.current.context.store.db,
  )
  expect(rows).toEqual([{ journal_mode: 'wal' }])
})

test(`every migration is recorded once, and a restart applies nothing again (${testDialect()})`, async () => {
  const recorded = async () =>
    (
      await sql<{
        name: string
        timestamp: string
      }>`select name, timestamp from kysely_migration order by name`.execute(server.current.context.store.db)
    ).rows
  const count = async (table: 'users' | 'apps') =>
    (await server.current.context.store.db.selectFrom(table).select('id').execute()).length
  const before = await recorded()
  expect(before.map((m) => m.name)).toEqual(Object.keys(migrations).sort())
  const seeded = { users: await count('users'), apps: await count('apps') }

  await server.restart()
  expect(await recorded()).toEqual(before) // same rows, same timestamps: nothing ran twice
  expect({ users: await count('users'), apps: await count('apps') }).toEqual(seeded) // the seed neither
  expect((await signIn(server.url, DEMO.user.email)).user.email).toBe(DEMO.user.email)
})

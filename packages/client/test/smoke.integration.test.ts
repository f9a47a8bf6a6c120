import { createClient, memoryStorage } from '@suportra/client'
import { DEMO, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

test('smoke', async () => {
  const user = createClient({ baseUrl: server.url, appId: DEMO.appId, storage: memoryStorage(), WebSocket })
  const builder = createClient({
    baseUrl: server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
  })
  await user.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  await builder.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
  const session = await user.sessions.start({ tool: 'cursor', topic: 'help' })
  const unsub = session.$messages.subscribe(() => {})
  const queue = builder.builder.$queue
  const off = queue.subscribe(() => {})
  await new Promise((r) => setTimeout(r, 300))
  expect(queue.get().map((s) => s.id)).toContain(session.id)
  const b = await builder.builder.claim(session.id)
  const offb = b.$messages.subscribe(() => {})
  await session.send('hello')
  await b.send('hi there')
  await new Promise((r) => setTimeout(r, 300))
  expect(session.$messages.get().map((m) => m.body)).toEqual(b.$messages.get().map((m) => m.body))
  console.log(session.$messages.get().map((m) => `${m.seq} ${m.author} ${m.body} ${m.status}`))
  unsub()
  off()
  offb()
  user.destroy()
  builder.destroy()
})

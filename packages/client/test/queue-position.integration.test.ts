import { memoryStorage } from '@suportra/client'
import { createUser, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { DEMO, eventually, makeClient, signedIn, watch } from './helpers.js'

let server: TestServer
const cleanup: (() => unknown)[] = []
beforeAll(async () => {
  server = await startTestServer()
})
afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn()
})
afterAll(() => server.close())

test('a waiting user sees their place move when a session ahead is claimed, with no request of their own', async () => {
  const builder = await signedIn(server.url, 'builder')
  cleanup.push(() => builder.destroy())
  const clients = await Promise.all(
    [1, 2].map(async () => {
      const person = await createUser(server, { credits: 1 })
      const counted = { requests: 0 }
      const client = makeClient(server.url, {
        storage: memoryStorage(),
        fetch: (input, init) => {
          counted.requests++
          return fetch(input, init)
        },
      })
      cleanup.push(() => client.destroy())
      await client.auth.signIn({ email: person.user.email ?? '', password: DEMO.user.password })
      return { client, counted }
    }),
  )
  const [first, second] = clients as [(typeof clients)[0], (typeof clients)[0]]
  const ahead = await first.client.sessions.start({ tool: 'cursor', topic: 'First in line' })
  const mine = await second.client.sessions.start({ tool: 'cursor', topic: 'Second in line' })
  cleanup.push(watch(mine.$session, second.client.$connection))
  expect(mine.$session.get()?.queue?.position).toBe(2)
  await eventually(() => expect(second.client.$connection.get()).toBe('open'))
  const requests = second.counted.requests

  await builder.builder.claim(ahead.id)
  await eventually(() => expect(mine.$session.get()?.queue?.position).toBe(1))
  expect(mine.$session.get()?.status).toBe('waiting')
  // The list shows the same place. It came over realtime: no request was made.
  expect(second.client.sessions.$list.get().find((s) => s.id === mine.id)?.queue?.position).toBe(1)
  expect(second.counted.requests).toBe(requests)
})

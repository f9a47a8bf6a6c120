import { createClient, memoryStorage, type StorageLike } from '@suportra/client'
import { allMessages, createUser, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'
import { DEMO, eventually, signedIn, watch } from './helpers.js'

// After a reload while the server cannot be reached, the user still sees the ongoing session, its
// unsent messages and the tool list, kept in storage until they sign out.

let server: TestServer
const cleanup: (() => unknown)[] = []
beforeAll(async () => {
  server = await startTestServer()
})
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})
afterAll(() => server.close())

/** A client whose server can be made unreachable: HTTP fails as a dropped network does, sockets do not open. */
function reachable(storage: StorageLike, network: { down: boolean }) {
  class Socket extends WebSocket {
    constructor(url: string) {
      super(network.down ? 'ws://127.0.0.1:9/v1/realtime' : url)
    }
  }
  const client = createClient({
    baseUrl: server.url,
    appId: DEMO.appId,
    storage,
    WebSocket: Socket,
    fetch: (input, init) =>
      network.down ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init),
  })
  cleanup.push(() => client.destroy())
  return client
}

test('a reload while the server is unreachable shows the ongoing session, its unsent message and the tools; the message goes once when it is back', async () => {
  const user = await createUser(server, { name: 'Offline Olga', credits: 2 })
  const builder = await signedIn(server.url, 'builder')
  cleanup.push(() => builder.destroy())
  const storage = memoryStorage()
  const network = { down: false }

  // Before the outage: signed in, a session a builder joined, the tool list seen once.
  const before = reachable(storage, network)
  await before.auth.signIn({ email: user.user.email ?? '', password: DEMO.user.password })
  const tools = await before.tools()
  const started = await before.sessions.start({ tool: 'bolt', topic: 'Preview is blank' })
  const stopWatching = watch(before.sessions.$list, started.$messages)
  const theirs = await builder.builder.claim(started.id)
  cleanup.push(watch(theirs.$messages))
  await eventually(() => expect(before.sessions.$list.get()[0]?.status).toBe('active'))

  // The server goes away; the user writes, then reloads the page.
  network.down = true
  const sending = started.send('Written while the server was away')
  sending.catch(() => {})
  await eventually(() => expect(started.$messages.get().at(-1)?.status).toBe('pending'))
  stopWatching()
  before.destroy()

  const after = reachable(storage, network)
  // At once, from storage: the session (still active as last seen) and the pending message.
  expect(after.sessions.$list.get().map((s) => [s.id, s.status])).toEqual([[started.id, 'active']])
  const handle = after.sessions.get(started.id)
  cleanup.push(watch(handle.$messages, handle.$session, after.sessions.$list))
  expect(handle.$session.get()?.topic).toBe('Preview is blank')
  expect(handle.$messages.get().map((m) => [m.body, m.status])).toEqual([
    ['Written while the server was away', 'pending'],
  ])
  expect(await after.tools()).toEqual(tools)
  // Still unreachable after the list's retries: nothing shown goes away.
  await new Promise((resolve) => setTimeout(resolve, 4_500))
  expect(after.sessions.$list.get().map((s) => s.id)).toEqual([started.id])
  expect(handle.$messages.get().map((m) => m.status)).toEqual(['pending'])

  // Back: the message is delivered once, and the transcript loads around it.
  network.down = false
  await eventually(
    () =>
      expect(
        theirs.$messages.get().filter((m) => m.body === 'Written while the server was away'),
      ).toHaveLength(1),
    30_000,
  )
  await eventually(() =>
    expect(
      handle.$messages
        .get()
        .filter((m) => m.kind !== 'event')
        .map((m) => [m.body, m.status]),
    ).toEqual([['Written while the server was away', 'sent']]),
  )
  const stored = await allMessages(server.url, user.accessToken, started.id)
  expect(stored.filter((m) => m.body === 'Written while the server was away')).toHaveLength(1)
}, 60_000)

test('signing out erases the kept sessions and tools; another user on the same storage sees none of them', async () => {
  const storage = memoryStorage()
  const network = { down: false }
  const ada = reachable(storage, network)
  await ada.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  await ada.tools()
  const session = await ada.sessions.start({ tool: 'v0', topic: 'Kept only while signed in' })
  await session.cancel().catch(() => {})
  const other = await ada.sessions.start({ tool: 'v0', topic: 'Still waiting' })
  expect(storage.getItem(`suportra:${DEMO.appId}:sessions:${ada.$user.get()?.id}`)).toContain(other.id)
  // Ended sessions are not kept.
  expect(storage.getItem(`suportra:${DEMO.appId}:sessions:${ada.$user.get()?.id}`)).not.toContain(session.id)
  const id = ada.$user.get()?.id
  await other.cancel()
  await ada.auth.signOut()
  expect(storage.getItem(`suportra:${DEMO.appId}:sessions:${id}`)).toBeNull()
  expect(storage.getItem(`suportra:${DEMO.appId}:tools`)).toBeNull()

  const someone = await createUser(server)
  await ada.auth.signIn({ email: someone.user.email ?? '', password: DEMO.user.password })
  expect(ada.sessions.$list.get()).toEqual([])
})

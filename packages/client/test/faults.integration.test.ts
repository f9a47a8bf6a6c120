import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryStorage, type SessionHandle, type SuportraClient } from '@suportra/client'
import { allMessages, signIn, spawnServer, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { DEMO, eventually, makeClient, signedIn, watch } from './helpers.js'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const ids = (handle: SessionHandle) => handle.$messages.get().map((m) => `${m.seq}:${m.id}:${m.status}`)

/** A user and a builder in one active session, both watching it as a UI would. */
async function conversation(url: string) {
  const user = await signedIn(url, 'user')
  const builder = await signedIn(url, 'builder')
  const mine = await user.sessions.start({ tool: 'cursor', topic: 'Flaky network' })
  const theirs = await builder.builder.claim(mine.id)
  const unwatch = watch(mine.$messages, theirs.$messages)
  cleanup.push(() => {
    unwatch()
    user.destroy()
    builder.destroy()
  })
  return { user, builder, mine, theirs }
}

/** Both sides and the database hold the same messages, in seq order, none twice, none pending. */
async function expectIdentical(url: string, mine: SessionHandle, theirs: SessionHandle) {
  const { accessToken } = await signIn(url, DEMO.user.email)
  const stored = (await allMessages(url, accessToken, mine.id)).map((m) => `${m.seq}:${m.id}:sent`)
  await eventually(async () => {
    // A view whose first load came late (its request was cut and retried) starts at the newest page
    // of that moment; the messages before it load on demand, as when the user scrolls up.
    for (const handle of [mine, theirs]) while (await handle.loadOlder());
    expect(ids(mine)).toEqual(stored)
    expect(ids(theirs)).toEqual(stored)
  }, 45_000)
  expect(stored.map((s) => Number(s.split(':')[0]))).toEqual(stored.map((_, i) => i + 1))
  return stored
}

/** Both sides send `each` messages at once; `unacknowledged()` tells how many are still in flight. */
function exchange(mine: SessionHandle, theirs: SessionHandle, each: number) {
  let acknowledged = 0
  const sends = Array.from({ length: each }, (_, i) => [mine.send(`u${i}`), theirs.send(`b${i}`)]).flat()
  for (const send of sends) send.then(() => acknowledged++)
  return Object.assign(Promise.all(sends), { unacknowledged: () => sends.length - acknowledged })
}

// Fault tests retry with backoff; on a loaded two-core machine they need more than the default 30 s.
describe('with the server in this process', { timeout: 90_000 }, () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ rateLimits: { send: { points: 10_000, duration: 60 } } })
  })
  afterAll(() => server.close())

  test('every connection is cut 50 times during a 200-message exchange: nothing lost, nothing doubled', async () => {
    const { mine, theirs } = await conversation(server.url)
    const sending = exchange(mine, theirs, 100)
    const inFlightAtCuts: number[] = []
    const cutter = (async () => {
      while (inFlightAtCuts.length < 50) {
        await pause(5 + Math.random() * 40)
        inFlightAtCuts.push(sending.unacknowledged())
        server.current.dropConnections()
      }
    })()
    const [sent] = await Promise.all([sending, cutter])
    // The cuts land during the exchange, not after it: messages were in flight at every one.
    expect(inFlightAtCuts.filter((n) => n > 0)).toHaveLength(50)
    expect(new Set(sent.map((m) => m.id)).size).toBe(200)
    const stored = await expectIdentical(server.url, mine, theirs)
    expect(stored).toHaveLength(202)
  })

  test('a client destroyed with unsent messages: a new client over the same storage sends each once', async () => {
    const { mine, theirs } = await conversation(server.url)
    const storage = memoryStorage()
    let offline = true
    let acked = 0
    // First the network is down; then requests reach the server but the answers are lost.
    const flaky: typeof fetch = async (input, init) => {
      const isSend = String(input).endsWith('/messages') && init?.method === 'POST'
      if (isSend && offline) throw new TypeError('network down')
      const response = await fetch(input, init)
      if (isSend && acked++ < 3) throw new TypeError('connection reset after the server answered')
      return response
    }
    const first = makeClient(server.url, { storage, fetch: flaky })
    await first.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
    const handle = first.sessions.get(mine.id)
    const sends = Array.from({ length: 10 }, (_, i) =>
      handle.send(`written offline ${i}`).catch(() => 'not sent'),
    )
    await eventually(() =>
      expect(handle.$messages.get().filter((m) => m.status === 'pending')).toHaveLength(10),
    )
    offline = false
    await pause(50) // let a few reach the server with their answers lost
    first.destroy()
    expect(await Promise.all(sends)).toContain('not sent')

    const second = makeClient(server.url, { storage })
    cleanup.push(() => second.destroy())
    const again = second.sessions.get(mine.id)
    cleanup.push(watch(again.$messages))
    await eventually(() => expect(again.$messages.get().filter((m) => m.status !== 'sent')).toEqual([]))
    await expectIdentical(server.url, again, theirs)
    const { accessToken } = await signIn(server.url, DEMO.user.email)
    const bodies = (await allMessages(server.url, accessToken, mine.id)).map((m) => m.body)
    for (let i = 0; i < 10; i++) expect(bodies.filter((b) => b === `written offline ${i}`)).toHaveLength(1)
    expect(bodies.filter((b) => b.startsWith('written offline'))).toEqual(
      Array.from({ length: 10 }, (_, i) => `written offline ${i}`),
    )
  })
})

describe('with the server as a separate process', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'suportra-client-kill-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('the server is killed (SIGKILL) and restarted mid-conversation: both sides converge', async () => {
    const dbFile = join(dir, 'kill.db')
    let server = await spawnServer(dbFile)
    const port = Number(new URL(server.url).port)
    cleanup.push(() => server.stop())
    const { mine, theirs } = await conversation(server.url)
    const sending = exchange(mine, theirs, 60)
    await pause(150)
    const inFlightAtKill = sending.unacknowledged()
    await server.kill()
    await pause(300)
    server = await spawnServer(dbFile, { port })
    const sent = await sending
    expect(inFlightAtKill).toBeGreaterThan(0)
    expect(new Set(sent.map((m) => m.id)).size).toBe(120)
    const stored = await expectIdentical(server.url, mine, theirs)
    expect(stored).toHaveLength(122)
  })
})

describe('token refresh', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.close())

  function sharedClients(count: number, storage = memoryStorage()) {
    const { fetch: counting, count: calls } = (() => {
      let refreshes = 0
      const f: typeof fetch = (input, init) => {
        if (String(input).endsWith('/v1/auth/refresh')) refreshes++
        return fetch(input, init)
      }
      return { fetch: f, count: () => refreshes }
    })()
    const clients: SuportraClient[] = Array.from({ length: count }, () =>
      makeClient(server.url, { storage, fetch: counting }),
    )
    cleanup.push(() => {
      for (const client of clients) client.destroy()
    })
    return { clients, storage, refreshes: calls }
  }

  function expireStoredToken(storage: ReturnType<typeof memoryStorage>) {
    const key = `suportra:${DEMO.appId}:auth`
    const auth = JSON.parse(storage.getItem(key) ?? '{}')
    storage.setItem(key, JSON.stringify({ ...auth, expiresAt: Date.now() - 1_000 }))
  }

  test('5 clients sharing one storage with an expired access token: one refresh, no sign-outs', async () => {
    const storage = memoryStorage()
    const owner = makeClient(server.url, { storage })
    cleanup.push(() => owner.destroy())
    await owner.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
    const { clients, refreshes } = sharedClients(5, storage)
    expireStoredToken(storage)
    const balances = await Promise.all(clients.map((client) => client.credits.refresh()))
    expect(balances.every((b) => typeof b === 'number')).toBe(true)
    expect(refreshes()).toBe(1)
    expect(clients.every((client) => client.$user.get()?.email === DEMO.user.email)).toBe(true)
  })

  test('tokens the server already considers expired: each client gets a 401, still one refresh', async () => {
    const short = await startTestServer({ accessTokenTtlSeconds: 1 })
    cleanup.push(() => short.close())
    const storage = memoryStorage()
    const owner = makeClient(short.url, { storage })
    cleanup.push(() => owner.destroy())
    await owner.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
    // The client believes its token is good for an hour; the server will refuse it.
    const key = `suportra:${DEMO.appId}:auth`
    storage.setItem(
      key,
      JSON.stringify({ ...JSON.parse(storage.getItem(key) ?? '{}'), expiresAt: Date.now() + 3_600_000 }),
    )
    await pause(2_100)
    let refreshes = 0
    const counting: typeof fetch = (input, init) => {
      if (String(input).endsWith('/v1/auth/refresh')) refreshes++
      return fetch(input, init)
    }
    const clients = Array.from({ length: 5 }, () => makeClient(short.url, { storage, fetch: counting }))
    cleanup.push(() => {
      for (const client of clients) client.destroy()
    })
    await Promise.all(clients.map((client) => client.credits.refresh()))
    expect(refreshes).toBe(1)
    expect(clients.every((client) => client.$user.get() !== null)).toBe(true)
  })

  test('a refresh token used twice (outside the grace window) signs that sign-in out', async () => {
    const grace = await startTestServer({ refreshGraceMs: 0 })
    cleanup.push(() => grace.close())
    const storage = memoryStorage()
    const client = makeClient(grace.url, { storage })
    cleanup.push(() => client.destroy())
    await client.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
    const stolen = JSON.parse(storage.getItem(`suportra:${DEMO.appId}:auth`) ?? '{}').refreshToken
    expireStoredToken(storage)
    await client.credits.refresh() // rotates the token
    await pause(5)
    const replay = await fetch(`${grace.url}/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: stolen }),
    })
    expect(replay.status).toBe(401)
    expireStoredToken(storage)
    await expect(client.credits.refresh()).rejects.toMatchObject({ code: 'unauthorized' })
    expect(client.$user.get()).toBeNull()
  })
})

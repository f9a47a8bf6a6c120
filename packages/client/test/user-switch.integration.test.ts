import type { StorageLike } from '@suportra/client'
import { grantCredits, signIdentityToken, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DEMO, makeClient, watch } from './helpers.js'

// One person replaced by another without a sign-out (the vendor identifies user B while A is signed
// in, on a shared computer): B never sees what the client kept of A's, and A's cached data leaves
// storage; A's unsent messages stay, for A only.

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

/** A storage whose whole content a test can read. */
function openStorage() {
  const map = new Map<string, string>()
  const storage: StorageLike = {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  }
  return { storage, everything: () => [...map].map(([key, value]) => `${key}=${value}`).join('\n') }
}

let counter = 0
/** A vendor-identified person, new to this server. */
async function person(name: string) {
  const sub = `switch-${Date.now().toString(36)}-${++counter}`
  return { sub, name, token: await signIdentityToken({ sub, name }) }
}

test('identify B while A is signed in: B sees nothing of A, storage keeps none of A’s sessions or tools, and A signing in again is fine', async () => {
  const { storage, everything } = openStorage()
  const client = makeClient(server.url, { storage })
  const stop = watch(client.sessions.$list)
  const alice = await person('Alice')
  const a = await client.auth.identify({ token: alice.token })
  await grantCredits(server, a.id, 1)
  await client.sessions.start({
    tool: 'cursor',
    topic: 'Alice’s private topic',
    context: { error: { message: 'Alice’s private stack' } },
  })
  await client.tools()
  expect(everything()).toContain('Alice’s private topic')
  expect(everything()).toContain(`${DEMO.appId}:tools`)

  const bob = await person('Bob')
  await client.auth.identify({ token: bob.token })
  expect(client.sessions.$list.get()).toEqual([])
  await client.sessions.list()
  expect(client.sessions.$list.get()).toEqual([])
  expect(everything()).not.toContain('Alice')
  expect(everything()).not.toContain(`${DEMO.appId}:tools`)

  // Alice back on the same storage: her session comes from the server.
  await client.auth.identify({ token: await signIdentityToken({ sub: alice.sub, name: 'Alice' }) })
  await client.sessions.list()
  expect(client.sessions.$list.get().map((s) => s.topic)).toEqual(['Alice’s private topic'])
  stop()
  client.destroy()
})

test('a list asked for A and answered after B signed in is not shown to B nor stored for B', async () => {
  const { storage, everything } = openStorage()
  let gate: Promise<void> | undefined
  const client = makeClient(server.url, {
    storage,
    // Holds the answer to a list of sessions until the test lets it through.
    fetch: async (input, init) => {
      const response = await fetch(input, init)
      if (new URL(String(input)).pathname === '/v1/sessions' && !init?.method) await gate
      return response
    },
  })
  const a = await client.auth.identify({ token: (await person('Alice')).token })
  await grantCredits(server, a.id, 1)
  await client.sessions.start({ tool: 'cursor', topic: 'Alice’s slow list' })
  let release = () => {}
  gate = new Promise((resolve) => (release = resolve))
  const aliceList = client.sessions.list()
  await client.auth.identify({ token: (await person('Bob')).token })
  release()
  await aliceList
  expect(client.sessions.$list.get()).toEqual([])
  expect(everything()).not.toContain('Alice’s slow list')
  client.destroy()
})

test('a refresh of A’s sign-in that ends after B signed in does not bring A back', async () => {
  const { storage } = openStorage()
  let gate: Promise<void> | undefined
  let identifyCalled = false
  let identified = () => {}
  const identifyAnswered = new Promise<void>((resolve) => (identified = resolve))
  const client = makeClient(server.url, {
    storage,
    fetch: async (input, init) => {
      if (String(input).endsWith('/v1/auth/refresh')) await gate
      const identify = String(input).endsWith('/v1/auth/identify')
      identifyCalled ||= identify
      const response = await fetch(input, init)
      if (identify) identified()
      return response
    },
  })
  await client.auth.identify({ token: (await person('Alice')).token })
  identifyCalled = false
  // A's access token is about to expire: the next request refreshes it first, held here.
  const key = `suportra:${DEMO.appId}:auth`
  storage.setItem(key, JSON.stringify({ ...JSON.parse(storage.getItem(key) ?? '{}'), expiresAt: Date.now() }))
  let release = () => {}
  gate = new Promise((resolve) => (release = resolve))
  const aliceBalance = client.credits.refresh().catch(() => undefined)
  const signingIn = client.auth.identify({ token: (await person('Bob')).token })
  // A sign-in that does not wait for the refresh has its answer before the refresh has its own.
  await new Promise((resolve) => setTimeout(resolve, 0))
  if (identifyCalled) await identifyAnswered
  release()
  await aliceBalance
  await signingIn
  expect(client.$user.get()?.name).toBe('Bob')
  expect(JSON.parse(storage.getItem(key) ?? '{}').user.name).toBe('Bob')
  client.destroy()
})

import type { ConnectionChange } from '@suportra/client'
import { createUser, DEMO, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { eventually, makeClient, signedIn, watch } from './helpers.js'

// Issue 17: the server asks an open socket to re-authenticate when its access token expires, and
// closes it if no fresh token comes. The client answers on the same socket, silently: with 2-second
// access tokens, the socket of a conversation stays open through several expiries and keeps
// delivering messages.

const TTL_SECONDS = 2
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    accessTokenTtlSeconds: TTL_SECONDS,
    reauthGraceMs: 1_000,
    // Every request refreshes a token this short-lived (the client renews 30 s before expiry).
    rateLimits: { auth: { points: 10_000, duration: 60 } },
  })
})
afterAll(() => server.close())

test('a realtime socket stays open and keeps receiving across two token expiries', async () => {
  const account = await createUser(server, { credits: 1 })
  const user = makeClient(server.url)
  await user.auth.signIn({ email: account.user.email ?? '', password: DEMO.user.password })
  const builder = await signedIn(server.url, 'builder')
  const mine = await user.sessions.start({ tool: 'cursor', topic: 'Short tokens' })
  const theirs = await builder.builder.claim(mine.id)
  const unwatch = watch(mine.$messages, theirs.$messages)
  await eventually(() => user.$connection.get() === 'open' && builder.$connection.get() === 'open')

  const changes: ConnectionChange[] = []
  const stop = [
    user.on('connection', (c) => changes.push(c)),
    builder.on('connection', (c) => changes.push(c)),
  ]
  const started = Date.now()
  // Long enough for at least two expiries (and their grace periods) on both sockets.
  for (let i = 0; Date.now() - started < (2 * TTL_SECONDS + 1.5) * 1000; i++) {
    await theirs.send(`builder#${i}`)
    await mine.send(`user#${i}`)
    await eventually(() => mine.$messages.get().some((m) => m.body === `builder#${i}` && m.status === 'sent'))
    await eventually(() => theirs.$messages.get().some((m) => m.body === `user#${i}` && m.status === 'sent'))
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  expect(changes, 'no socket closed and reconnected').toEqual([])
  expect(user.$connection.get()).toBe('open')
  expect(server.current.hub.size).toBe(2)

  for (const off of stop) off()
  unwatch()
  user.destroy()
  builder.destroy()
})

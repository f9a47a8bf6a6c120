import { CLOSE_CODES } from '@suportra/protocol'
import {
  api,
  createUser,
  openSocket,
  signIn,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'

// Refresh tokens rotate on every use. Several tabs refreshing the same token at once must all stay
// signed in (a short grace window); a token used again after that window was stolen or replayed,
// and the whole sign-in (the family) is revoked: its refresh tokens, its access tokens, its sockets.

// Long enough that a slow round trip on a loaded machine still lands inside it.
const GRACE_MS = 1_500
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ refreshGraceMs: GRACE_MS })
})
afterAll(() => server.close())

const refresh = (refreshToken: string) =>
  api(server.url, 'POST', '/v1/auth/refresh', { body: { refreshToken } })
const me = (token: string) => api(server.url, 'GET', '/v1/me', { token })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function freshSignIn() {
  const user = await createUser(server)
  return { email: user.user.email as string, ...user }
}

test('two concurrent refreshes of one token both succeed, and both new pairs work', async () => {
  const { refreshToken } = await freshSignIn()
  const [a, b] = await Promise.all([refresh(refreshToken), refresh(refreshToken)])
  expect([a.status, b.status]).toEqual([200, 200])
  expect(a.body.refreshToken).not.toBe(b.body.refreshToken)
  expect((await me(a.body.accessToken)).status).toBe(200)
  expect((await me(b.body.accessToken)).status).toBe(200)
  expect((await refresh(a.body.refreshToken)).status).toBe(200)
  expect((await refresh(b.body.refreshToken)).status).toBe(200)
})

test('a second refresh of one token inside the grace window succeeds', async () => {
  const { refreshToken } = await freshSignIn()
  expect((await refresh(refreshToken)).status).toBe(200)
  await sleep(GRACE_MS / 3)
  const again = await refresh(refreshToken)
  expect(again.status).toBe(200)
  expect((await me(again.body.accessToken)).status).toBe(200)
})

test('reuse after the grace window revokes the whole sign-in, and only that one', async () => {
  const first = await freshSignIn()
  const other = await signIn(server.url, first.email) // another sign-in (family) of the same user
  const rotated = await refresh(first.refreshToken)
  expect(rotated.status).toBe(200)
  const oldSocket = await openSocket(server.url, first.accessToken)
  const newSocket = await openSocket(server.url, rotated.body.accessToken)
  const otherSocket = await openSocket(server.url, other.accessToken)

  await sleep(GRACE_MS + 100)
  const reused = await refresh(first.refreshToken)
  expect(reused.status).toBe(401)
  expect(reused.body.error.code).toBe('unauthorized')

  // The newer refresh token of the family is refused too…
  expect((await refresh(rotated.body.refreshToken)).status).toBe(401)
  // …and so is every access token issued to it, with the reason the client needs to stop retrying.
  for (const token of [first.accessToken, rotated.body.accessToken]) {
    const result = await me(token)
    expect(result.status).toBe(401)
    expect(result.body.error.details).toEqual({ reason: 'revoked' })
  }
  // Its sockets are closed as revoked (do not reconnect).
  expect(await oldSocket.closed).toBe(CLOSE_CODES.revoked)
  expect(await newSocket.closed).toBe(CLOSE_CODES.revoked)
  // A revoked access token cannot open a new socket either.
  const retry = await openSocket(server.url, rotated.body.accessToken, { waitReady: false })
  expect(await retry.closed).toBe(CLOSE_CODES.revoked)

  // The user's other sign-in is untouched.
  expect((await me(other.accessToken)).status).toBe(200)
  expect((await refresh(other.refreshToken)).status).toBe(200)
  expect(otherSocket.ws.readyState).toBe(otherSocket.ws.OPEN)
  otherSocket.close()
})

import { api, createUser, signIn, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'

// Verified access tokens are remembered until they expire (no HMAC, no query per request), and a
// revocation forgets them at once: a revoked sign-in's token is refused on its very next request.

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

test('a token verified before is refused at once after its sign-in is revoked; other sign-ins keep working', async () => {
  const user = await createUser(server)
  const other = await signIn(server.url, user.user.email as string)
  for (const token of [user.accessToken, other.accessToken]) {
    expect((await api(server.url, 'GET', '/v1/me', { token })).status).toBe(200)
  }
  expect(server.current.context.tokens.verified.size).toBeGreaterThanOrEqual(2)

  await api(server.url, 'POST', '/v1/auth/sign-out', { token: user.accessToken })
  const refused = await api(server.url, 'GET', '/v1/me', { token: user.accessToken })
  expect(refused.status).toBe(401)
  expect(refused.body.error.details?.reason ?? refused.body.error.message).toMatch(/revoked/)
  expect((await api(server.url, 'GET', '/v1/me', { token: other.accessToken })).status).toBe(200)
})

test('deleting the account refuses its tokens at once', async () => {
  const user = await createUser(server)
  expect((await api(server.url, 'GET', '/v1/me', { token: user.accessToken })).status).toBe(200)
  expect((await api(server.url, 'DELETE', '/v1/account', { token: user.accessToken })).status).toBe(200)
  expect((await api(server.url, 'GET', '/v1/me', { token: user.accessToken })).status).toBe(401)
})

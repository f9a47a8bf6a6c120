import { CLOSE_CODES, type RealtimeEvent } from '@suportra/protocol'
import {
  api,
  createUser,
  DEMO,
  openSocket,
  signIn,
  startTestServer,
  type TestServer,
  type TestSocket,
} from '@suportra/server/testing'
import { decodeJwt, SignJWT } from 'jose'
import { afterAll, beforeAll, expect, test } from 'vitest'

// Issue 17: access tokens must carry `exp`, and a socket must not outlive its token. When the
// token expires the server sends `reauth`; a new `auth` frame on the open socket keeps it, silence
// for `reauthGraceMs` closes it with 4001.

const JWT_SECRET = 'reauth-test-secret-0123456789'
const TTL_SECONDS = 2
const GRACE_MS = 1_000
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    jwtSecret: JWT_SECRET,
    accessTokenTtlSeconds: TTL_SECONDS,
    reauthGraceMs: GRACE_MS,
    rateLimits: { auth: { points: 10_000, duration: 60 } },
  })
})
afterAll(() => server.close())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const isMessage = (e: RealtimeEvent): e is Extract<RealtimeEvent, { type: 'message' }> => e.type === 'message'
const count = (socket: TestSocket, type: string) => socket.events.filter((e) => e.type === type).length

/** A user with an active session claimed by the demo builder. */
async function activeSession() {
  const user = await createUser(server, { credits: 1 })
  const builder = await signIn(server.url, DEMO.builder.email)
  const started = await api(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'cursor', topic: 'Tokens expire' },
  })
  const id: string = started.body.session.id
  await api(server.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: builder.accessToken })
  return { user, id }
}

/** The builder writes (signing in each time: their tokens expire as fast as everyone's). */
async function builderSays(sessionId: string, text: string) {
  const { accessToken } = await signIn(server.url, DEMO.builder.email)
  const sent = await api(server.url, 'POST', `/v1/sessions/${sessionId}/messages`, {
    token: accessToken,
    body: { id: `msg-${text}`, text },
  })
  expect(sent.status).toBe(201)
}

test('an access token signed with the real key but without exp is refused, over HTTP and realtime', async () => {
  const user = await createUser(server)
  const claims = decodeJwt(user.accessToken)
  const forge = (exp?: number) => {
    const jwt = new SignJWT({ role: claims.role, app: claims.app, fam: claims.fam })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(claims.sub))
      .setIssuer('suportra')
      .setAudience('suportra-api')
      .setIssuedAt()
    if (exp !== undefined) jwt.setExpirationTime(exp)
    return jwt.sign(new TextEncoder().encode(JWT_SECRET))
  }
  // The same claims with an `exp` are accepted: only the missing `exp` is refused.
  const withExp = await forge(Math.floor(Date.now() / 1000) + 60)
  expect((await api(server.url, 'GET', '/v1/me', { token: withExp })).status).toBe(200)

  const forever = await forge()
  const me = await api(server.url, 'GET', '/v1/me', { token: forever })
  expect(me.status).toBe(401)
  expect(me.body.error.code).toBe('unauthorized')
  const socket = await openSocket(server.url, forever, { waitReady: false })
  expect(await socket.closed).toBe(CLOSE_CODES.unauthorized)
})

test('a socket that answers reauth with a fresh token stays open and keeps receiving, across two expiries', async () => {
  const { user, id } = await activeSession()
  const socket = await openSocket(server.url, user.accessToken, { resume: { [id]: 0 } })
  let refreshToken = user.refreshToken
  for (let expiry = 1; expiry <= 2; expiry++) {
    await socket.next(
      (e) => e.type === 'reauth' && count(socket, 'reauth') === expiry,
      TTL_SECONDS * 1000 + 2_000,
    )
    const renewed = await api(server.url, 'POST', '/v1/auth/refresh', { body: { refreshToken } })
    refreshToken = renewed.body.refreshToken
    socket.ws.send(JSON.stringify({ type: 'auth', token: renewed.body.accessToken }))
    await sleep(GRACE_MS + 200)
    await builderSays(id, `after-expiry-${expiry}`)
    await socket.next((e) => isMessage(e) && e.message.body === `after-expiry-${expiry}`)
  }
  expect(socket.ws.readyState).toBe(socket.ws.OPEN)
  expect(count(socket, 'ready')).toBe(1)
  socket.close()
})

test('a socket that does not re-authenticate is closed with 4001 once the grace period is over', async () => {
  const user = await createUser(server)
  const socket = await openSocket(server.url, user.accessToken)
  const asked = await socket.next((e) => e.type === 'reauth', TTL_SECONDS * 1000 + 2_000)
  expect(asked).toEqual({ type: 'reauth' })
  const askedAt = Date.now()
  expect(await socket.closed).toBe(CLOSE_CODES.unauthorized)
  expect(Date.now() - askedAt).toBeGreaterThanOrEqual(GRACE_MS - 50)
})

test.each([
  ['another user’s token', async () => (await createUser(server)).accessToken, CLOSE_CODES.unauthorized],
  ['a garbage token', async () => 'not-a-jwt', CLOSE_CODES.unauthorized],
])('re-authenticating with %s closes the socket', async (_name, token, code) => {
  const user = await createUser(server)
  const socket = await openSocket(server.url, user.accessToken)
  socket.ws.send(JSON.stringify({ type: 'auth', token: await token() }))
  expect(await socket.closed).toBe(code)
  expect(socket.events.at(-1)).toMatchObject({ type: 'error', code: 'unauthorized' })
})

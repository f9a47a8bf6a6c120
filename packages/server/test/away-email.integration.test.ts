import {
  api,
  createUser,
  DEMO,
  openSocket,
  signIn,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'

// A builder answers a user who has left (no socket for `awayEmailMs`): one email per session per
// absence, through the outbox, in the user's language, linking back to the page the session started
// from when that page is on one of the app's origins.

const AWAY_MS = 1_200
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ awayEmailMs: AWAY_MS, presenceRefreshMs: 200 })
})
afterAll(() => server?.close())

const emails = (to: string) =>
  server.current.context.store.db
    .selectFrom('emails')
    .selectAll()
    .where('to_address', '=', to)
    .where('kind', '=', 'builder_replied')
    .orderBy('created_at')
    .execute()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function activeSession(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const user = await createUser(server, { name: 'Away User', credits: 2 })
  const started = await api(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'cursor', topic: 'Stuck on a build', ...body },
    headers,
  })
  expect(started.status).toBe(201)
  const builder = await signIn(server.url, DEMO.builder.email)
  const id = started.body.session.id as string
  expect(
    (await api(server.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: builder.accessToken }))
      .status,
  ).toBe(200)
  const reply = (text: string) =>
    api(server.url, 'POST', `/v1/sessions/${id}/messages`, {
      token: builder.accessToken,
      body: { id: `c_${Math.random().toString(36).slice(2, 12)}`, text },
    })
  return { user, id, reply, email: user.user.email as string }
}

test('one email per absence, localized, linking to the page the session started from', async () => {
  const { user, id, reply, email } = await activeSession(
    { returnUrl: 'http://localhost:5173/app/settings?token=secret#section' },
    { 'accept-language': 'de-CH,de;q=0.9,en;q=0.5' },
  )
  const row = await server.current.context.store.db
    .selectFrom('sessions')
    .select(['return_url', 'locale'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  expect(row).toEqual({ return_url: 'http://localhost:5173/app/settings', locale: 'de' })

  // Connected: a reply is read there, no email.
  const socket = await openSocket(server.url, user.accessToken)
  expect((await reply('Try clearing the cache')).status).toBe(201)
  await sleep(AWAY_MS * 2)
  expect(await emails(email)).toHaveLength(0)

  // Gone: the next reply is emailed once the user has been away long enough, and only once.
  socket.close()
  await sleep(50)
  await reply('Did that work?')
  await reply('Also check the lockfile')
  await expect.poll(() => emails(email), { timeout: 8_000, interval: 100 }).toHaveLength(1)
  await sleep(AWAY_MS * 2)
  const [first] = await emails(email)
  expect(await emails(email)).toHaveLength(1)
  expect(first?.subject).toBe('Grace Hopper hat deine Suportra-Frage beantwortet')
  expect(first?.body).toContain(`http://localhost:5173/app/settings#suportra-session=${id}`)
  expect(first?.body).not.toContain('secret')
  expect(first?.body).not.toContain('lockfile') // nothing the builder or the user wrote
  expect(first?.reference).toBe(id)

  // Back, then gone again: a new absence, a new email.
  const again = await openSocket(server.url, user.accessToken)
  await sleep(300)
  again.close()
  await sleep(50)
  await reply('Ping')
  await expect.poll(() => emails(email), { timeout: 8_000, interval: 100 }).toHaveLength(2)

  // Deleting the transcript forgets the page and the emails about it.
  await api(server.url, 'POST', `/v1/sessions/${id}/close`, { token: user.accessToken })
  const deleted = await api(server.url, 'DELETE', `/v1/sessions/${id}/transcript`, {
    token: user.accessToken,
  })
  expect(deleted.status).toBe(200)
  const scrubbed = await server.current.context.store.db
    .selectFrom('sessions')
    .select('return_url')
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  expect(scrubbed.return_url).toBeNull()
  expect(await emails(email)).toHaveLength(0)
})

test('a page on an origin the app does not allow is not linked; other languages get English', async () => {
  const { reply, email, id } = await activeSession(
    { returnUrl: 'https://evil.example/phish' },
    { 'accept-language': 'fr-FR' },
  )
  await reply('Here is the fix')
  await expect.poll(() => emails(email), { timeout: 8_000, interval: 100 }).toHaveLength(1)
  const [mail] = await emails(email)
  expect(mail?.subject).toBe('Grace Hopper answered your Suportra question')
  expect(mail?.body).not.toContain('evil.example')
  expect(mail?.body).not.toContain(id)
})

test('bad return URLs are refused or dropped, never a 500', async () => {
  const user = await createUser(server, { credits: 5 })
  for (const returnUrl of [
    'not a url',
    'javascript:alert(1)',
    'http://user:pw@localhost:1/x',
    'x'.repeat(2_001),
    42,
  ]) {
    const started = await api(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'cursor', topic: 'Bad url', returnUrl },
    })
    expect([201, 400]).toContain(started.status)
    if (started.status === 201) {
      const row = await server.current.context.store.db
        .selectFrom('sessions')
        .select('return_url')
        .where('id', '=', started.body.session.id)
        .executeTakeFirstOrThrow()
      expect(row.return_url).toBeNull()
      await api(server.url, 'POST', `/v1/sessions/${started.body.session.id}/cancel`, {
        token: user.accessToken,
      })
    }
  }
})

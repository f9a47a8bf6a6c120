import {
  allMessages,
  api,
  createUser,
  DEMO,
  openSocket,
  signIn,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'

// A builder's fix as a unified diff, and the user's tool reporting whether it applied.

const DIFF = [
  '--- a/vite.config.ts',
  '+++ b/vite.config.ts',
  '@@ -1,3 +1,3 @@',
  ' export default {',
  '-  server: { port: 3000 },',
  "+  server: { port: 3000, host: '0.0.0.0' },",
  ' }',
  '',
].join('\n')

let server: TestServer
let builderToken: string
beforeAll(async () => {
  server = await startTestServer({ rateLimits: { send: { points: 100_000, duration: 60 } } })
  builderToken = (await signIn(server.url, DEMO.builder.email)).accessToken
})
afterAll(() => server.close())

let counter = 0
const send = (token: string, sessionId: string, body: Record<string, unknown>) =>
  api(server.url, 'POST', `/v1/sessions/${sessionId}/messages`, {
    token,
    body: { id: `cid-patch-${++counter}-${Date.now()}`, ...body },
  })

async function claimedSession() {
  const user = await createUser(server, { credits: 1 })
  const started = await api(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'cursor', topic: 'Vite dev server unreachable' },
  })
  const id = started.body.session.id as string
  const claimed = await api(server.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: builderToken })
  expect(claimed.status).toBe(200)
  return { token: user.accessToken, id }
}

test('a builder sends a patch; both sides get it structured, live and in the history; the user reports it applied', async () => {
  const s = await claimedSession()
  const socket = await openSocket(server.url, s.token)
  const sent = await send(builderToken, s.id, {
    text: 'Listen on every interface:',
    patch: { diff: DIFF, description: 'Bind the dev server to 0.0.0.0' },
  })
  expect(sent.status).toBe(201)
  expect(sent.body.message).toMatchObject({
    author: 'builder',
    body: 'Listen on every interface:',
    patch: { diff: DIFF, description: 'Bind the dev server to 0.0.0.0' },
    patchResult: null,
  })
  const live = await socket.next((e) => e.type === 'message' && e.message.id === sent.body.message.id)
  expect(live.type === 'message' && live.message.patch?.diff).toBe(DIFF)
  socket.close()

  const report = await send(s.token, s.id, {
    text: 'ignored: the server words it',
    patchResult: { messageId: sent.body.message.id, applied: true },
  })
  expect(report.status).toBe(201)
  expect(report.body.message).toMatchObject({
    author: 'user',
    body: 'Patch applied',
    patch: null,
    patchResult: { messageId: sent.body.message.id, applied: true, detail: null },
  })
  const failed = await send(s.token, s.id, {
    patchResult: { messageId: sent.body.message.id, applied: false, detail: 'hunk 1 did not apply' },
  })
  expect(failed.body.message.body).toBe('Patch failed: hunk 1 did not apply')

  const history = await allMessages(server.url, builderToken, s.id)
  expect(history.map((m) => m.body)).toEqual(
    expect.arrayContaining([
      'Listen on every interface:',
      'Patch applied',
      'Patch failed: hunk 1 did not apply',
    ]),
  )
  expect(history.find((m) => m.id === sent.body.message.id)?.patch?.description).toBe(
    'Bind the dev server to 0.0.0.0',
  )
})

test('a user cannot send a patch, a builder cannot report one, and only a patch of the session can be reported on', async () => {
  const s = await claimedSession()
  const fromUser = await send(s.token, s.id, { patch: { diff: DIFF } })
  expect(fromUser.status).toBe(403)
  expect(fromUser.body.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/builder/) })

  const text = await send(builderToken, s.id, { text: 'not a patch' })
  const fromBuilder = await send(builderToken, s.id, {
    patchResult: { messageId: text.body.message.id, applied: true },
  })
  expect(fromBuilder.status).toBe(403)

  for (const messageId of [text.body.message.id, 'msg_nope', '']) {
    const bogus = await send(s.token, s.id, { patchResult: { messageId, applied: true } })
    expect(bogus.status).toBe(400)
    expect(bogus.body.error.code).toBe('validation')
  }
  // A patch of another session cannot be reported on here.
  const other = await claimedSession()
  const elsewhere = await send(builderToken, other.id, { patch: { diff: DIFF } })
  const cross = await send(s.token, s.id, {
    patchResult: { messageId: elsewhere.body.message.id, applied: true },
  })
  expect(cross.status).toBe(400)
  expect((await allMessages(server.url, s.token, s.id)).filter((m) => m.patchResult)).toEqual([])
})

test('text that is not a unified diff, an oversized diff and malformed patches get 400 with a reason', async () => {
  const s = await claimedSession()
  const cases: [unknown, RegExp][] = [
    [{ diff: 'change the port to 3001' }, /Not a unified diff/],
    [{ diff: '--- a/x\n+++ b/x\n-a\n+b\n' }, /no @@ hunk/],
    [{ diff: `${DIFF}${'+x\n'.repeat(70_000)}` }, /patch\.diff/],
    [{ diff: 42 }, /patch\.diff/],
    [{ diff: DIFF, description: 'x'.repeat(501) }, /patch\.description/],
    [{ diff: DIFF, applied: true }, /patch/],
    ['a string', /patch/],
  ]
  for (const [patch, reason] of cases) {
    const refused = await send(builderToken, s.id, { patch })
    expect(refused.status, JSON.stringify(patch).slice(0, 80)).toBe(400)
    expect(refused.body.error.code).toBe('validation')
    expect(refused.body.error.message).toMatch(reason)
  }
  const both = await send(builderToken, s.id, {
    patch: { diff: DIFF },
    patchResult: { messageId: 'x', applied: true },
  })
  expect(both.status).toBe(403)
  expect((await allMessages(server.url, s.token, s.id)).filter((m) => m.patch)).toEqual([])
})

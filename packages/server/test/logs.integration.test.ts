import {
  api,
  DEMO,
  openSocket,
  signIdentityToken,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createLogger } from '../src/log.js'

// The log rule (issue 2): structured logs never print passwords, tokens, secrets, message bodies or
// file contents, even at the most verbose level.

const lines: string[] = []
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ logger: createLogger('trace', { write: (line) => lines.push(line) }) })
})
afterAll(() => server.close())

test('a whole tour of the API at trace level leaves no secret in the logs', async () => {
  const secrets: string[] = [DEMO.identitySecret, DEMO.user.password]
  const password = 'Sign-up-password-4f1c9e'
  const email = `logs-${Date.now()}@example.com`
  const up = await api(server.url, 'POST', '/v1/auth/sign-up', {
    app: DEMO.appId,
    body: { name: 'Logan', email, password, ageConfirmed: true },
  })
  expect(up.status).toBe(201)
  secrets.push(password, up.body.accessToken, up.body.refreshToken)

  const wrong = 'Wrong-password-77aa31'
  const failed = await api(server.url, 'POST', '/v1/auth/sign-in', {
    app: DEMO.appId,
    body: { email, password: wrong },
  })
  expect(failed.status).toBe(401)
  secrets.push(wrong)

  const signedIn = await api(server.url, 'POST', '/v1/auth/sign-in', {
    app: DEMO.appId,
    body: { email, password },
  })
  expect(signedIn.status).toBe(200)
  secrets.push(signedIn.body.accessToken, signedIn.body.refreshToken)

  const refreshed = await api(server.url, 'POST', '/v1/auth/refresh', {
    body: { refreshToken: signedIn.body.refreshToken },
  })
  expect(refreshed.status).toBe(200)
  secrets.push(refreshed.body.accessToken, refreshed.body.refreshToken)

  const identityToken = await signIdentityToken({ sub: 'vendor-log-1', name: 'Idris' })
  const identified = await api(server.url, 'POST', '/v1/auth/identify', {
    app: DEMO.appId,
    body: { token: identityToken },
  })
  expect(identified.status).toBe(200)
  secrets.push(identityToken, identified.body.accessToken, identified.body.refreshToken)

  // A user with credits starts a session, uploads a file and sends a message; a socket listens.
  const ada = await api(server.url, 'POST', '/v1/auth/sign-in', {
    app: DEMO.appId,
    body: { email: DEMO.user.email, password: DEMO.user.password },
  })
  const token: string = ada.body.accessToken
  secrets.push(token, ada.body.refreshToken)
  const socket = await openSocket(server.url, token)
  const topic = 'Topic-that-must-not-be-logged-5d2b'
  const started = await api(server.url, 'POST', '/v1/sessions', {
    token,
    body: { tool: 'cursor', topic, context: { error: 'Context-error-9e0f' } },
  })
  expect(started.status).toBe(201)
  secrets.push(topic, 'Context-error-9e0f')
  const sessionId: string = started.body.session.id
  const fileContent = 'File-content-that-must-not-be-logged-31c7'
  const upload = await api(server.url, 'POST', `/v1/sessions/${sessionId}/attachments?name=env.txt`, {
    token,
    raw: fileContent,
  })
  expect(upload.status).toBe(201)
  const text = 'Message-text-that-must-not-be-logged-a83e'
  const code = 'const apiKey = "Code-content-that-must-not-be-logged-0b6d"'
  const sent = await api(server.url, 'POST', `/v1/sessions/${sessionId}/messages`, {
    token,
    body: {
      id: `log-${Date.now()}`,
      text,
      code: { language: 'ts', content: code },
      attachmentIds: [upload.body.attachment.id],
    },
  })
  expect(sent.status).toBe(201)
  await socket.next((e) => e.type === 'message' && e.message.body === text)
  socket.close()
  secrets.push(fileContent, text, code)

  const blockers = 'Blockers-that-must-not-be-logged-c4d1'
  const audit = await api(server.url, 'POST', '/v1/audits', {
    body: { email: 'audit-logs@example.com', building: 'Building-text-6a0e', tools: ['v0'], blockers },
  })
  expect(audit.status).toBe(201)
  secrets.push(blockers, 'Building-text-6a0e')

  const output = lines.join('')
  // The logs were written, at trace level, with the ids that make them useful.
  expect(output).toContain('"msg":"request"')
  expect(output).toContain('user signed in')
  expect(output).toContain('sign-in failed')
  expect(output).toContain(audit.body.audit.id)
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8)
    expect(output, `the logs contain ${secret.slice(0, 12)}…`).not.toContain(secret)
  }
})

test('the redact list is a second line of defence: a call site that logs a secret by mistake', () => {
  const out: string[] = []
  const log = createLogger('trace', { write: (line) => out.push(line) })
  log.info(
    {
      password: 'p-1',
      input: { password: 'p-2', text: 't-1', token: 't-2', topic: 't-3', blockers: 'b-1' },
      code: { content: 'c-1' },
      headers: { authorization: 'Bearer a-1' },
      refreshToken: 'r-1',
      app: { identitySecret: 's-1', secret: 's-2' },
    },
    'oops',
  )
  const output = out.join('')
  for (const value of ['p-1', 'p-2', 't-1', 't-2', 't-3', 'b-1', 'c-1', 'a-1', 'r-1', 's-1', 's-2'])
    expect(output).not.toContain(value)
  expect(output).toContain('[redacted]')
})

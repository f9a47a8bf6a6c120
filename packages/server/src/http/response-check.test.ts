import { Hono } from 'hono'
import { expect, test } from 'vitest'
import * as z from 'zod/mini'
import type { Context } from '../context.js'
import { createLogger } from '../log.js'
import { checksResponses } from '../protocol-check.js'
import type { Env } from './request.js'
import { responseCheck } from './response-check.js'

// As the server does (createContext): English issue messages.
z.config(z.locales.en())

/** The middleware alone in front of routes that answer as a buggy handler would; `lines` holds the log. */
function appWith(register: (app: Hono<Env>) => void, checkResponses = true) {
  const lines: Record<string, unknown>[] = []
  const log = createLogger('error', { write: (line) => lines.push(JSON.parse(line)) })
  const app = new Hono<Env>()
  app.use(responseCheck({ config: { checkResponses }, log } as Context))
  register(app)
  return { app, lines }
}

test('an error body without a message becomes a 500 that names the route and the field', async () => {
  const { app, lines } = appWith((a) =>
    a.get('/v1/me', (c) => c.json({ error: { code: 'unauthorized' } }, 401)),
  )
  const response = await app.request('/v1/me')
  expect(response.status).toBe(500)
  expect(await response.json()).toEqual({
    error: {
      code: 'server',
      message:
        'Response does not match the protocol: GET /v1/me: error.message: Invalid input: expected string, received undefined',
    },
  })
  expect(lines).toMatchObject([
    { msg: 'response does not match the protocol', route: 'GET /v1/me', status: 401 },
  ])
})

test('an unknown error code, a non-JSON error and a route without a schema are refused too', async () => {
  const { app } = appWith((a) =>
    a
      .get('/v1/me', (c) => c.json({ error: { code: 'teapot', message: 'no' } }, 418))
      .get('/v1/tools', (c) => c.text('Internal Server Error', 500))
      .get('/v1/new-route', (c) => c.json({ anything: true })),
  )
  const messages = await Promise.all(
    ['/v1/me', '/v1/tools', '/v1/new-route'].map(async (path) => {
      const response = await app.request(path)
      expect(response.status).toBe(500)
      return ((await response.json()) as { error: { message: string } }).error.message
    }),
  )
  expect(messages).toEqual([
    expect.stringMatching(
      /^Response does not match the protocol: GET \/v1\/me: error\.code: Invalid option: expected one of "unauthorized"/,
    ),
    'Response does not match the protocol: GET /v1/tools: the body is not JSON (text/plain; charset=UTF-8)',
    'Response does not match the protocol: GET /v1/new-route: no response schema for this route (RESPONSE_SCHEMAS)',
  ])
})

test('a field the protocol does not declare is refused, so a stray column cannot leave unnoticed', async () => {
  const { app } = appWith((a) =>
    a.get('/v1/credits/transactions', (c) =>
      c.json({
        transactions: [
          { id: 'txn_1', kind: 'grant', amount: 1, reference: null, createdAt: 1 },
          { id: 'txn_2', kind: 'grant', amount: 1, reference: null, createdAt: 2, user_id: 'usr_1' },
        ],
      }),
    ),
  )
  const response = await app.request('/v1/credits/transactions')
  expect([
    response.status,
    ((await response.json()) as { error: { message: string } }).error.message,
  ]).toEqual([
    500,
    'Response does not match the protocol: GET /v1/credits/transactions: transactions.1.user_id: not in the protocol (declare it in the schema)',
  ])
})

test('the log shows the shape of a wrong body, never its values', async () => {
  const secret = 'rt_very-secret-refresh-token'
  const { app, lines } = appWith((a) =>
    a.post('/v1/auth/refresh', (c) => c.json({ refreshToken: secret, accessToken: 42, user: null })),
  )
  expect((await app.request('/v1/auth/refresh', { method: 'POST' })).status).toBe(500)
  expect(JSON.stringify(lines)).not.toContain(secret)
  expect(lines[0]).toMatchObject({
    // (Token fields are redacted by name too: the log rule's second line of defence.)
    shape: { refreshToken: '[redacted]', accessToken: '[redacted]', user: 'null' },
    issues: expect.arrayContaining([{ path: 'user', message: expect.any(String) }]),
  })
})

test("a matching body, an exempt route and a middleware's answer pass untouched", async () => {
  const { app, lines } = appWith((a) =>
    a
      .use('/v1/*', (c, next) => (c.req.method === 'OPTIONS' ? Promise.resolve(c.body(null, 204)) : next()))
      .get('/v1/tools', (c) => c.json({ tools: [{ id: 'cursor', name: 'Cursor' }] }, 200, { 'x-kept': '1' }))
      .get('/v1/attachments/:id', (c) => c.json({ whatever: 'the uploaded file' })),
  )
  const tools = await app.request('/v1/tools')
  expect([tools.status, tools.headers.get('x-kept'), await tools.json()]).toEqual([
    200,
    '1',
    { tools: [{ id: 'cursor', name: 'Cursor' }] },
  ])
  expect(await (await app.request('/v1/attachments/att_1')).json()).toEqual({ whatever: 'the uploaded file' })
  expect((await app.request('/v1/tools', { method: 'OPTIONS' })).status).toBe(204)
  expect(lines).toEqual([])
})

test('with the check off, a wrong body passes as it is', async () => {
  const { app } = appWith((a) => a.get('/v1/tools', (c) => c.json({ tools: 'none' })), false)
  const response = await app.request('/v1/tools')
  expect([response.status, await response.json()]).toEqual([200, { tools: 'none' }])
})

test('on in development and tests, off in production unless asked for', () => {
  const unset = { checkResponses: undefined }
  expect(checksResponses(unset, { NODE_ENV: 'development' })).toBe(true)
  expect(checksResponses(unset, { NODE_ENV: 'test' })).toBe(true)
  expect(checksResponses(unset, { VITEST: 'true', NODE_ENV: 'production' })).toBe(true)
  expect(checksResponses(unset, { NODE_ENV: 'production' })).toBe(false)
  expect(checksResponses(unset, {})).toBe(false)
  expect(checksResponses({ checkResponses: true }, { NODE_ENV: 'production' })).toBe(true)
  expect(checksResponses({ checkResponses: false }, { NODE_ENV: 'test', VITEST: 'true' })).toBe(false)
})

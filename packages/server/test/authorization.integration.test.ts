import { CLOSE_CODES, ERROR_STATUS, type RealtimeEvent } from '@suportra/protocol'
import {
  type ApiResult,
  api,
  createUser,
  DEMO,
  openSocket,
  signIdentityToken,
  signIn,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { decodeJwt, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addBuilder } from '../src/admin/commands.js'

// ---- actors, states and helpers ----

const ACTORS = ['anonymous', 'owner', 'otherUser', 'builder', 'otherBuilder'] as const
type Actor = (typeof ACTORS)[number]
type State = 'waiting' | 'active' | 'closed'
/** Expected status per actor, in the order of ACTORS: anonymous, owner, otherUser, builder, otherBuilder. */
type Row = readonly number[]

/** The error code the server must use with each status (413 and 415 are `validation` too). */
const CODE_OF: Record<number, string> = {
  ...Object.fromEntries(Object.entries(ERROR_STATUS).map(([code, status]) => [status, code])),
  413: 'validation',
  415: 'validation',
}
const JWT_SECRET = 'authorization-test-jwt-secret'
const enc = (s: string) => new TextEncoder().encode(s)
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
let counter = 0
const clientId = () => `cid_${Date.now().toString(36)}_${++counter}`

let server: TestServer
const emails = {} as Record<Exclude<Actor, 'anonymous'>, string>
const tokens = {} as Record<Exclude<Actor, 'anonymous'>, string>
/** A builder who covers only `bolt`: the matrix's sessions are `cursor` sessions. */
let boltOnly: string

function call(actor: Actor, method: string, path: string, options: { body?: unknown; raw?: string } = {}) {
  return api(server.url, method, path, {
    ...(actor !== 'anonymous' && { token: tokens[actor] }),
    ...options,
  })
}

function expectStatus(result: ApiResult, status: number) {
  expect({ status: result.status, body: result.body }).toMatchObject({ status })
  if (status >= 400) expect(result.body.error.code).toBe(CODE_OF[status])
}

interface Fixture {
  sessionId: string
  attachmentId: string
}

/** A fresh session of the owner, in `state`; with `attachment`, one file the owner sent in it. */
async function sessionIn(state: State, attachment = false): Promise<Fixture> {
  const started = await call('owner', 'POST', '/v1/sessions', {
    body: { tool: 'cursor', topic: 'Build fails' },
  })
  expectStatus(started, 201)
  const sessionId: string = started.body.session.id
  let attachmentId = 'att_none'
  if (attachment) {
    const upload = await call('owner', 'POST', `/v1/sessions/${sessionId}/attachments?name=x.txt`, {
      raw: 'hello',
    })
    expectStatus(upload, 201)
    attachmentId = upload.body.attachment.id
    const sent = await call('owner', 'POST', `/v1/sessions/${sessionId}/messages`, {
      body: { id: clientId(), text: 'the log', attachmentIds: [attachmentId] },
    })
    expectStatus(sent, 201)
  }
  if (state !== 'waiting')
    expectStatus(await call('builder', 'POST', `/v1/builder/sessions/${sessionId}/claim`), 200)
  if (state === 'closed') expectStatus(await call('owner', 'POST', `/v1/sessions/${sessionId}/close`), 200)
  return { sessionId, attachmentId }
}

/** What a refused request must not change: the session row, its messages and the ledger. */
async function stored(sessionId: string) {
  const { db } = server.current.context.store
  return {
    session: await db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst(),
    messages: await db.selectFrom('messages').selectAll().where('session_id', '=', sessionId).execute(),
    attachments: await db.selectFrom('attachments').selectAll().where('session_id', '=', sessionId).execute(),
    ledger: await db.selectFrom('ledger').selectAll().where('reference', '=', sessionId).execute(),
  }
}

/** An access token signed like the server's own (`secret` defaults to the server's). */
function forgeAccessToken(claims: Record<string, unknown>, exp: number, secret = JWT_SECRET) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('suportra')
    .setAudience('suportra-api')
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(enc(secret))
}

/** Adds a builder (an empty `tools` list covers every tool) and signs them in. */
async function newBuilder(name: string, email: string, tools: string[]) {
  await addBuilder(server.current.context, { name, email, password: DEMO.builder.password, tools })
  return (await signIn(server.url, email)).accessToken
}

beforeAll(async () => {
  server = await startTestServer({
    jwtSecret: JWT_SECRET,
    // Every actor submits audits from this one address; the limits have their own test.
    rateLimits: { auditsPerIp: { points: 1_000, duration: 3600 } },
  })
  const owner = await createUser(server, { name: 'Owner', credits: 1000 })
  const other = await createUser(server, { name: 'Other', credits: 10 })
  Object.assign(emails, {
    owner: owner.user.email,
    otherUser: other.user.email,
    builder: DEMO.builder.email,
    otherBuilder: 'linus@example.com',
  })
  tokens.owner = owner.accessToken
  tokens.otherUser = other.accessToken
  tokens.builder = (await signIn(server.url, DEMO.builder.email)).accessToken
  tokens.otherBuilder = await newBuilder('Linus', emails.otherBuilder, [])
  boltOnly = await newBuilder('Bo', 'bo@example.com', ['bolt'])
})
afterAll(() => server.close())

// ---- the matrix ----

const ALL_SIGNED_IN: Row = [401, 200, 200, 200, 200]

const checkout = () => ({
  packId: 'pack_3',
  successUrl: 'http://localhost:5173/paid',
  cancelUrl: 'http://localhost:5173/cancelled',
})
const audit = () => ({
  email: `audit-${++counter}@example.com`,
  building: 'A todo app',
  tools: ['cursor'],
  blockers: 'Deploys fail',
})

/**
 * Endpoints that do not concern one session. Builders serve sessions: they neither start one nor
 * buy credits (403). Not in this table, on purpose:
 * - `POST /v1/auth/sign-up|sign-in|identify|refresh` take credentials, not an access token (sign-out
 *   has its own five-actor test below; identity tokens and origins their own sections);
 * - `DELETE /v1/account` deletes the caller: its five-actor test below uses throwaway accounts;
 * - `POST /v1/webhooks/stripe` is authenticated by Stripe's signature (billing.integration.test.ts);
 * - `GET /health`, `GET /widget.js`, `GET /widget/:file` are public static answers, and `/dev/*`
 *   (test checkout, mail outbox) exists only with `devPages`, never in production.
 */
const GLOBAL: [name: string, method: string, path: string, body: () => unknown, expected: Row][] = [
  ['GET /v1/me', 'GET', '/v1/me', () => undefined, ALL_SIGNED_IN],
  ['GET /v1/account/export', 'GET', '/v1/account/export', () => undefined, ALL_SIGNED_IN],
  ['GET /v1/credits', 'GET', '/v1/credits', () => undefined, ALL_SIGNED_IN],
  ['GET /v1/credits/transactions', 'GET', '/v1/credits/transactions', () => undefined, ALL_SIGNED_IN],
  ['GET /v1/credits/packs (public)', 'GET', '/v1/credits/packs', () => undefined, [200, 200, 200, 200, 200]],
  ['POST /v1/credits/checkout', 'POST', '/v1/credits/checkout', checkout, [401, 200, 200, 403, 403]],
  ['GET /v1/sessions', 'GET', '/v1/sessions', () => undefined, ALL_SIGNED_IN],
  [
    'POST /v1/sessions',
    'POST',
    '/v1/sessions',
    () => ({ tool: 'v0', topic: 'Hi' }),
    [401, 201, 201, 403, 403],
  ],
  ['GET /v1/builder/queue', 'GET', '/v1/builder/queue', () => undefined, [401, 403, 403, 200, 200]],
  ['GET /v1/tools (public)', 'GET', '/v1/tools', () => undefined, [200, 200, 200, 200, 200]],
  ['POST /v1/audits (no sign-in needed)', 'POST', '/v1/audits', audit, [201, 201, 201, 201, 201]],
]

const globalRows = GLOBAL.flatMap(([name, method, path, body, expected]) =>
  ACTORS.map((actor, i) => ({ name, method, path, body, actor, status: expected[i] as number })),
)

/** Rows a refused request might have written to. */
async function globalState() {
  const { db } = server.current.context.store
  return {
    sessions: await db.selectFrom('sessions').select('id').execute(),
    ledger: await db.selectFrom('ledger').select('id').execute(),
    purchases: await db.selectFrom('purchases').select('id').execute(),
    audits: await db.selectFrom('audits').select('id').execute(),
  }
}

for (const { name, method, path, body, actor, status } of globalRows) {
  test(`${name} | ${actor} → ${status}`, async () => {
    const before = await globalState()
    expectStatus(await call(actor, method, path, { body: body() }), status)
    if (status >= 400) expect(await globalState()).toEqual(before)
  })
}

test.each(ACTORS)('DELETE /v1/account | %s (a throwaway account of that kind)', async (actor) => {
  if (actor === 'anonymous') return expectStatus(await api(server.url, 'DELETE', '/v1/account'), 401)
  const email = `throwaway-${actor}-${++counter}@example.com`
  const token = actor.endsWith('uilder')
    ? await newBuilder('Throwaway', email, [])
    : (await createUser(server, { email })).accessToken
  expectStatus(await api(server.url, 'DELETE', '/v1/account', { token }), 200)
  expectStatus(await api(server.url, 'GET', '/v1/me', { token }), 401)
  expectStatus(await call(actor, 'GET', '/v1/me'), 200) // the matrix's own actors are untouched
  const { db } = server.current.context.store
  expect(await db.selectFrom('users').select('id').where('email', '=', email).execute()).toEqual([])
})

const session = (f: Fixture) => `/v1/sessions/${f.sessionId}`
type Endpoint = {
  path: (f: Fixture) => string
  method: 'GET' | 'POST' | 'DELETE'
  body?: () => unknown
  raw?: string
  /** The fixture needs a file the owner sent. */
  attachment?: true
}

// biome-ignore format: one endpoint per line
const ENDPOINTS: Record<string, Endpoint> = {
  'GET /v1/sessions/:id': { method: 'GET', path: session },
  'POST /v1/sessions/:id/cancel': { method: 'POST', path: (f) => `${session(f)}/cancel` },
  'POST /v1/sessions/:id/close': { method: 'POST', path: (f) => `${session(f)}/close` },
  'POST /v1/sessions/:id/video': { method: 'POST', path: (f) => `${session(f)}/video` },
  'DELETE /v1/sessions/:id/transcript': { method: 'DELETE', path: (f) => `${session(f)}/transcript` },
  'POST /v1/sessions/:id/rating': { method: 'POST', path: (f) => `${session(f)}/rating`, body: () => ({ score: 5 }) },
  'POST /v1/sessions/:id/read': { method: 'POST', path: (f) => `${session(f)}/read`, body: () => ({ seq: 1 }) },
  'POST /v1/sessions/:id/typing': { method: 'POST', path: (f) => `${session(f)}/typing` },
  'GET /v1/sessions/:id/messages': { method: 'GET', path: (f) => `${session(f)}/messages` },
  'POST /v1/sessions/:id/messages': { method: 'POST', path: (f) => `${session(f)}/messages`, body: () => ({ id: clientId(), text: 'Hello' }) },
  'POST /v1/sessions/:id/attachments': { method: 'POST', path: (f) => `${session(f)}/attachments?name=x.txt`, raw: 'file body' },
  'GET /v1/attachments/:id': { method: 'GET', path: (f) => `/v1/attachments/${f.attachmentId}`, attachment: true },
  'POST /v1/builder/sessions/:id/claim': { method: 'POST', path: (f) => `/v1/builder/sessions/${f.sessionId}/claim` },
}

// "builder" is grace: previewing while the session waits, assigned once it is claimed.
// endpoint                              state       anon  owner other builder otherBuilder
const MATRIX: [name: string, state: State, expected: Row][] = [
  ['GET /v1/sessions/:id', 'waiting', [401, 200, 404, 200, 200]],
  ['GET /v1/sessions/:id', 'active', [401, 200, 404, 200, 404]],
  ['GET /v1/sessions/:id', 'closed', [401, 200, 404, 200, 404]],
  ['POST /v1/sessions/:id/cancel', 'waiting', [401, 200, 404, 403, 403]],
  ['POST /v1/sessions/:id/cancel', 'active', [401, 409, 404, 403, 404]],
  ['POST /v1/sessions/:id/cancel', 'closed', [401, 409, 404, 403, 404]],
  ['POST /v1/sessions/:id/close', 'waiting', [401, 200, 404, 403, 403]],
  ['POST /v1/sessions/:id/close', 'active', [401, 200, 404, 200, 404]],
  ['POST /v1/sessions/:id/close', 'closed', [401, 409, 404, 409, 404]],
  ['POST /v1/sessions/:id/video', 'waiting', [401, 409, 404, 403, 403]],
  ['POST /v1/sessions/:id/video', 'active', [401, 200, 404, 403, 404]],
  ['POST /v1/sessions/:id/video', 'closed', [401, 409, 404, 403, 404]],
  ['DELETE /v1/sessions/:id/transcript', 'waiting', [401, 409, 404, 403, 403]],
  ['DELETE /v1/sessions/:id/transcript', 'active', [401, 409, 404, 403, 404]],
  ['DELETE /v1/sessions/:id/transcript', 'closed', [401, 200, 404, 403, 404]],
  ['POST /v1/sessions/:id/rating', 'waiting', [401, 409, 404, 403, 403]],
  ['POST /v1/sessions/:id/rating', 'active', [401, 409, 404, 403, 404]],
  ['POST /v1/sessions/:id/rating', 'closed', [401, 200, 404, 403, 404]],
  ['POST /v1/sessions/:id/read', 'waiting', [401, 200, 404, 403, 403]],
  ['POST /v1/sessions/:id/read', 'active', [401, 200, 404, 200, 404]],
  ['POST /v1/sessions/:id/read', 'closed', [401, 200, 404, 200, 404]],
  ['POST /v1/sessions/:id/typing', 'waiting', [401, 200, 404, 403, 403]],
  ['POST /v1/sessions/:id/typing', 'active', [401, 200, 404, 200, 404]],
  ['POST /v1/sessions/:id/typing', 'closed', [401, 200, 404, 200, 404]],
  ['GET /v1/sessions/:id/messages', 'waiting', [401, 200, 404, 403, 403]],
  ['GET /v1/sessions/:id/messages', 'active', [401, 200, 404, 200, 404]],
  ['GET /v1/sessions/:id/messages', 'closed', [401, 200, 404, 200, 404]],
  ['POST /v1/sessions/:id/messages', 'waiting', [401, 201, 404, 403, 403]],
  ['POST /v1/sessions/:id/messages', 'active', [401, 201, 404, 201, 404]],
  ['POST /v1/sessions/:id/messages', 'closed', [401, 409, 404, 409, 404]],
  ['POST /v1/sessions/:id/attachments', 'waiting', [401, 201, 404, 403, 403]],
  ['POST /v1/sessions/:id/attachments', 'active', [401, 201, 404, 201, 404]],
  ['POST /v1/sessions/:id/attachments', 'closed', [401, 409, 404, 409, 404]],
  ['GET /v1/attachments/:id', 'waiting', [401, 200, 404, 404, 404]],
  ['GET /v1/attachments/:id', 'active', [401, 200, 404, 200, 404]],
  ['GET /v1/attachments/:id', 'closed', [401, 200, 404, 200, 404]],
  ['POST /v1/builder/sessions/:id/claim', 'waiting', [401, 403, 403, 200, 200]],
  ['POST /v1/builder/sessions/:id/claim', 'active', [401, 403, 403, 409, 409]],
  ['POST /v1/builder/sessions/:id/claim', 'closed', [401, 403, 403, 409, 409]],
]

const matrixRows = MATRIX.flatMap(([name, state, expected]) =>
  ACTORS.map((actor, i) => ({ name, state, actor, status: expected[i] as number })),
)

describe('session endpoints', () => {
  for (const { name, state, actor, status } of matrixRows) {
    test(`${name} | ${state} session | ${actor} → ${status}`, async () => {
      const endpoint = ENDPOINTS[name] as Endpoint
      const fixture = await sessionIn(state, endpoint.attachment)
      const before = await stored(fixture.sessionId)
      const result = await call(actor, endpoint.method, endpoint.path(fixture), {
        body: endpoint.body?.(),
        ...(endpoint.raw !== undefined && { raw: endpoint.raw }),
      })
      expectStatus(result, status)
      if (status >= 400) expect(await stored(fixture.sessionId)).toEqual(before)
      if (status === 200 && endpoint.path === session) expect(result.body.session.id).toBe(fixture.sessionId)
      if (status === 200 && endpoint.attachment) expect(result.body).toBe('hello')
    })
  }

  // A builder sees the queue of the tools they cover (DESIGN §5): to one who does not cover a
  // waiting session's tool it does not exist (404), like any session that is not theirs — claim
  // included, so the answer does not confirm the session or name its tool.
  const notCovering = (_name: string) => 404
  for (const name of Object.keys(ENDPOINTS)) {
    test(`${name} | waiting session of a tool they do not cover | builder (bolt only) → ${notCovering(name)}`, async () => {
      const endpoint = ENDPOINTS[name] as Endpoint
      const fixture = await sessionIn('waiting', endpoint.attachment)
      const before = await stored(fixture.sessionId)
      const result = await api(server.url, endpoint.method, endpoint.path(fixture), {
        token: boltOnly,
        body: endpoint.body?.(),
        ...(endpoint.raw !== undefined && { raw: endpoint.raw }),
      })
      expectStatus(result, notCovering(name))
      expect(JSON.stringify(result.body)).not.toContain('Build fails') // the topic
      expect(await stored(fixture.sessionId)).toEqual(before)
    })
  }

  test.each([
    ['GET', '/v1/sessions/:id'],
    ['GET', '/v1/sessions/:id/messages'],
    ['POST', '/v1/builder/sessions/:id/claim'],
    ['GET', '/v1/attachments/:id'],
  ])('%s %s with an id that does not exist → 404', async (method, path) => {
    const actor = method === 'POST' ? 'builder' : 'owner'
    expectStatus(await call(actor, method, path.replace(':id', 'xyz_does_not_exist')), 404)
  })

  test('lists show only what each actor may see', async () => {
    const waiting = await sessionIn('waiting')
    const active = await sessionIn('active')
    const ids = async (actor: Actor, path: string, key: string) =>
      ((await call(actor, 'GET', path)).body[key] as { id: string }[]).map((s) => s.id)
    expect(await ids('owner', '/v1/sessions', 'sessions')).toEqual(
      expect.arrayContaining([waiting.sessionId, active.sessionId]),
    )
    expect(await ids('otherUser', '/v1/sessions', 'sessions')).not.toContain(waiting.sessionId)
    expect(await ids('otherUser', '/v1/sessions', 'sessions')).not.toContain(active.sessionId)
    expect(await ids('builder', '/v1/sessions', 'sessions')).toContain(active.sessionId)
    expect(await ids('builder', '/v1/sessions', 'sessions')).not.toContain(waiting.sessionId)
    expect(await ids('otherBuilder', '/v1/sessions', 'sessions')).not.toContain(active.sessionId)
    const queue = await ids('otherBuilder', '/v1/builder/queue', 'queue')
    expect(queue).toContain(waiting.sessionId)
    expect(queue).not.toContain(active.sessionId)
    const references = (await call('otherUser', 'GET', '/v1/credits/transactions')).body.transactions.map(
      (t: { reference: string }) => t.reference,
    )
    expect(references).not.toContain(waiting.sessionId)
  })

  test('a builder who does not cover the tool cannot see it in the queue nor claim it', async () => {
    const token = boltOnly
    const { sessionId } = await sessionIn('waiting') // a cursor session
    const queue = await api(server.url, 'GET', '/v1/builder/queue', { token })
    expect(queue.body.queue.map((s: { id: string }) => s.id)).not.toContain(sessionId)
    const claim = await api(server.url, 'POST', `/v1/builder/sessions/${sessionId}/claim`, { token })
    expectStatus(claim, 404)
    expect((await call('owner', 'GET', `/v1/sessions/${sessionId}`)).body.session.status).toBe('waiting')
  })

  test('a file uploaded but not sent yet is visible to its uploader only', async () => {
    const { sessionId } = await sessionIn('active')
    const upload = await call('owner', 'POST', `/v1/sessions/${sessionId}/attachments?name=draft.txt`, {
      raw: 'hello',
    })
    const path = `/v1/attachments/${upload.body.attachment.id}`
    expectStatus(await call('owner', 'GET', path), 200)
    expectStatus(await call('builder', 'GET', path), 404)
    const sent = await call('owner', 'POST', `/v1/sessions/${sessionId}/messages`, {
      body: { id: clientId(), attachmentIds: [upload.body.attachment.id] },
    })
    expectStatus(sent, 201)
    expectStatus(await call('builder', 'GET', path), 200)
  })

  test("a waiting session's owner can send; the builder only after claiming", async () => {
    const { sessionId } = await sessionIn('waiting')
    const send = (actor: Actor, text: string) =>
      call(actor, 'POST', `/v1/sessions/${sessionId}/messages`, { body: { id: clientId(), text } })
    expectStatus(await send('owner', 'Anyone there?'), 201)
    expectStatus(await send('builder', 'Too early'), 403)
    expectStatus(await call('builder', 'POST', `/v1/builder/sessions/${sessionId}/claim`), 200)
    expectStatus(await send('builder', 'Hi, I am here'), 201)
    expectStatus(await send('otherBuilder', 'Me too'), 404)
    const { body } = await call('owner', 'GET', `/v1/sessions/${sessionId}/messages`)
    const texts = body.messages
      .filter((m: { kind: string }) => m.kind === 'text')
      .map((m: { body: string }) => m.body)
    expect(texts).toEqual(['Anyone there?', 'Hi, I am here'])
  })
})

// ---- realtime ----

describe('realtime resume', () => {
  const isMessage = (e: RealtimeEvent) => e.type === 'message'
  // Resuming replays a session's messages to its user and its assigned builder only; everyone
  // else is told `not_found`, the same as for a session that does not exist.
  test.each([
    ['waiting', ['replay', 'not_found', 'not_found', 'not_found']],
    ['active', ['replay', 'not_found', 'replay', 'not_found']],
  ] as const)('%s session', async (state, expected) => {
    const { sessionId } = await sessionIn(state)
    const anonymous = await openSocket(server.url, 'no-token', {
      resume: { [sessionId]: 0 },
      waitReady: false,
    })
    expect(await anonymous.closed).toBe(CLOSE_CODES.unauthorized)
    expect(anonymous.events.filter(isMessage)).toEqual([])
    const actors = ['owner', 'otherUser', 'builder', 'otherBuilder'] as const
    for (const [i, actor] of actors.entries()) {
      const socket = await openSocket(server.url, tokens[actor], { resume: { [sessionId]: 0 } })
      const replayed = socket.events.filter(isMessage)
      if (expected[i] === 'replay') expect(replayed.length, actor).toBeGreaterThan(0)
      else {
        expect(replayed, actor).toEqual([])
        expect(socket.events, actor).toContainEqual({
          type: 'continuity_lost',
          sessionId,
          reason: 'not_found',
        })
      }
      socket.close()
    }
  })
})

// ---- sign-out ----

test.each(ACTORS)('POST /v1/auth/sign-out | %s', async (actor) => {
  if (actor === 'anonymous') return expectStatus(await api(server.url, 'POST', '/v1/auth/sign-out'), 401)
  const fresh = await signIn(server.url, emails[actor])
  expectStatus(await api(server.url, 'POST', '/v1/auth/sign-out', { token: fresh.accessToken }), 200)
  expectStatus(await api(server.url, 'GET', '/v1/me', { token: fresh.accessToken }), 401)
  expectStatus(await call(actor, 'GET', '/v1/me'), 200) // other sign-ins stay valid
})

// ---- access tokens ----

describe('access tokens', () => {
  const claimsOf = (token: string) =>
    decodeJwt(token) as { sub: string; role: string; app: string; fam: string }
  const now = () => Math.floor(Date.now() / 1000)
  const own = () => {
    const { sub, role, app, fam } = claimsOf(tokens.owner)
    return { sub, role, app, fam }
  }

  test('a token forged exactly like the server signs it is accepted (control)', async () => {
    const token = await forgeAccessToken(own(), now() + 60)
    expectStatus(await api(server.url, 'GET', '/v1/me', { token }), 200)
  })

  const cases: [string, () => Promise<string> | string][] = [
    ['garbage', () => 'not-a-jwt'],
    ['expired', () => forgeAccessToken(own(), now() - 60)],
    ['signed with another secret', () => forgeAccessToken(own(), now() + 60, 'some-other-secret')],
    ['alg none', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...own(), exp: now() + 60 })}.`],
    [
      'tampered payload (role: builder)',
      () => {
        const [header, , signature] = tokens.owner.split('.')
        return `${header}.${b64url({ ...claimsOf(tokens.owner), role: 'builder' })}.${signature}`
      },
    ],
    [
      'for a sign-in family that does not exist',
      () => forgeAccessToken({ ...own(), fam: 'fam_nope' }, now() + 60),
    ],
  ]
  test.each(cases)('%s → 401', async (_name, make) => {
    const token = await make()
    for (const path of ['/v1/me', '/v1/builder/queue']) {
      expectStatus(await api(server.url, 'GET', path, { token }), 401)
    }
  })

  test('expired token says so in details', async () => {
    const token = await forgeAccessToken(own(), now() - 60)
    const result = await api(server.url, 'GET', '/v1/me', { token })
    expect(result.body.error.details).toEqual({ reason: 'expired' })
  })

  test('a non-Bearer Authorization header, or the token in the URL → 401', async () => {
    const basic = await api(server.url, 'GET', '/v1/me', {
      headers: { authorization: `Basic ${tokens.owner}` },
    })
    expectStatus(basic, 401)
    for (const param of ['token', 'access_token'])
      expectStatus(await api(server.url, 'GET', `/v1/me?${param}=${tokens.owner}`), 401)
  })

  test('a token of a revoked sign-in (after sign-out with the refresh token) → 401', async () => {
    const fresh = await signIn(server.url, emails.owner)
    const out = await api(server.url, 'POST', '/v1/auth/sign-out', {
      body: { refreshToken: fresh.refreshToken },
    })
    expectStatus(out, 200)
    const result = await api(server.url, 'GET', '/v1/credits', { token: fresh.accessToken })
    expectStatus(result, 401)
    expect(result.body.error.details).toEqual({ reason: 'revoked' })
    const refresh = await api(server.url, 'POST', '/v1/auth/refresh', {
      body: { refreshToken: fresh.refreshToken },
    })
    expectStatus(refresh, 401)
  })
})

// ---- origins ----

describe('origin checks', () => {
  const headers = (origin: string) => ({ origin, 'x-suportra-app': DEMO.appId })
  const signInBody = { email: DEMO.user.email, password: DEMO.user.password }

  test.each([
    ['https://evil.example', 403],
    ['http://localhost.evil.example:5173', 403],
    ['http://localhost:5173', 200],
    ['http://127.0.0.1:3000', 200],
  ] as const)('Origin %s → %i', async (origin, status) => {
    const me = await api(server.url, 'GET', '/v1/me', { token: tokens.owner, headers: headers(origin) })
    expectStatus(me, status)
    expect(me.headers.get('access-control-allow-origin')).toBe(status === 200 ? origin : null)
    const signedIn = await api(server.url, 'POST', '/v1/auth/sign-in', {
      body: signInBody,
      headers: headers(origin),
    })
    expectStatus(signedIn, status)
    const preflight = await fetch(`${server.url}/v1/sessions`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBe(status === 200 ? origin : null)
  })

  test('a refused origin starts no session', async () => {
    const before = (await call('owner', 'GET', '/v1/sessions')).body.sessions.length
    const result = await api(server.url, 'POST', '/v1/sessions', {
      token: tokens.owner,
      headers: headers('https://evil.example'),
      body: { tool: 'cursor', topic: 'CSRF' },
    })
    expectStatus(result, 403)
    expect((await call('owner', 'GET', '/v1/sessions')).body.sessions.length).toBe(before)
  })
})

// ---- vendor identity tokens ----

describe('identity tokens', () => {
  const identify = (token: string) =>
    api(server.url, 'POST', '/v1/auth/identify', { app: DEMO.appId, body: { token } })
  const now = () => Math.floor(Date.now() / 1000)
  const hs256 = (claims: Record<string, unknown>, secret = DEMO.identitySecret) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(enc(secret))

  test('a valid HS256 token → 200; the same sub twice → the same user', async () => {
    const first = await identify(await signIdentityToken({ sub: 'vendor-42', name: 'Vee' }))
    expectStatus(first, 200)
    expect(first.body.user).toMatchObject({ name: 'Vee', role: 'user' })
    const second = await identify(await signIdentityToken({ sub: 'vendor-42' }))
    expectStatus(second, 200)
    expect(second.body.user.id).toBe(first.body.user.id)
    const other = await identify(await signIdentityToken({ sub: 'vendor-43' }))
    expect(other.body.user.id).not.toBe(first.body.user.id)
    expectStatus(await api(server.url, 'GET', '/v1/me', { token: second.body.accessToken }), 200)
  })

  const refused: [string, () => Promise<string> | string][] = [
    ['wrong secret', () => signIdentityToken({ sub: 'v1' }, { secret: 'not-the-secret' })],
    ['alg none', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'v1', exp: now() + 60 })}.`],
    ['HS512', () => signIdentityToken({ sub: 'v1' }, { alg: 'HS512' })],
    ['missing exp', () => hs256({ sub: 'v1', iat: now() })],
    ['missing sub', () => hs256({ exp: now() + 60 })],
    ['exp more than 24 h ahead', () => signIdentityToken({ sub: 'v1' }, { expiresIn: '25h' })],
    ['exp 25 h ahead without iat', () => hs256({ sub: 'v1', exp: now() + 25 * 3600 })],
    ['expired', () => signIdentityToken({ sub: 'v1' }, { expiresIn: now() - 120 })],
    ['audience of another app', () => hs256({ sub: 'v1', exp: now() + 60, aud: 'app_other' })],
    ['not a JWT', () => 'garbage'],
  ]
  test.each(refused)('%s → 401', async (_name, make) => {
    const usersBefore = await server.current.context.store.db.selectFrom('users').selectAll().execute()
    expectStatus(await identify(await make()), 401)
    expect(await server.current.context.store.db.selectFrom('users').selectAll().execute()).toEqual(
      usersBefore,
    )
  })

  test('without X-Suportra-App → 400; an unknown app → 404', async () => {
    const token = await signIdentityToken({ sub: 'v1' })
    expectStatus(await api(server.url, 'POST', '/v1/auth/identify', { body: { token } }), 400)
    expectStatus(
      await api(server.url, 'POST', '/v1/auth/identify', { app: 'app_nope', body: { token } }),
      404,
    )
  })
})

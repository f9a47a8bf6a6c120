import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type AuthResponse, CLOSE_CODES, ERROR_STATUS } from '@suportra/protocol'
import {
  type ApiResult,
  api,
  checkoutSessionObject,
  createUser,
  DEMO,
  deliverStripeWebhook,
  openSocket,
  signIdentityToken,
  signIn,
  signStripePayload,
  startTestServer,
  stripeEventPayload,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addBuilder } from '../src/admin/commands.js'

const ORIGIN = 'http://localhost:5173'
const DEV_WEBHOOK_SECRET = 'whsec_suportra_development'

let server: TestServer
let grace: AuthResponse
let linus: AuthResponse
beforeAll(async () => {
  server = await startTestServer({
    rateLimits: {
      auditsPerIp: { points: 1_000, duration: 60 },
      auditsPerEmail: { points: 100, duration: 60 },
    },
  })
  grace = await signIn(server.url, DEMO.builder.email)
  await addBuilder(server.current.context, {
    name: 'Linus',
    email: 'linus.rights@example.com',
    password: DEMO.builder.password,
    tools: [],
  })
  linus = await signIn(server.url, 'linus.rights@example.com')
})
afterAll(() => server.close())

const db = () => server.current.context.store.db
let counter = 0
const clientId = () => `cid_rights_${Date.now().toString(36)}_${++counter}`

function ok<T extends ApiResult>(result: T, status = 200): T {
  expect({ status: result.status, body: result.body }).toMatchObject({ status })
  return result
}

async function start(user: AuthResponse, topic: string, context?: Record<string, unknown>) {
  return ok(
    await api(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'cursor', topic, ...(context && { context }) },
    }),
    201,
  ).body.session.id as string
}

async function upload(token: string, sessionId: string, name: string, content: string) {
  const result = await api(
    server.url,
    'POST',
    `/v1/sessions/${sessionId}/attachments?name=${encodeURIComponent(name)}`,
    {
      token,
      raw: content,
      headers: { 'content-type': 'text/plain' },
    },
  )
  return ok(result, 201).body.attachment.id as string
}

async function send(token: string, sessionId: string, body: Record<string, unknown>) {
  return ok(
    await api(server.url, 'POST', `/v1/sessions/${sessionId}/messages`, {
      token,
      body: { id: clientId(), ...body },
    }),
    201,
  ).body.message.id as string
}

/** Buys a pack through the test checkout ("Pay" on the dev page). */
async function buy(user: AuthResponse) {
  const checkout = ok(
    await api(server.url, 'POST', '/v1/credits/checkout', {
      token: user.accessToken,
      body: { packId: 'pack_3', successUrl: `${ORIGIN}/ok`, cancelUrl: `${ORIGIN}/cancel` },
    }),
  )
  const html = await (await fetch(checkout.body.url)).text()
  const action = html.match(/action="([^"]+)"/)?.[1]?.replaceAll('&#38;', '&') ?? ''
  expect((await fetch(new URL(action, server.url), { method: 'POST', redirect: 'manual' })).status).toBe(303)
}

/** A pending checkout; returns the purchase id. */
async function pendingCheckout(user: AuthResponse) {
  const checkout = ok(
    await api(server.url, 'POST', '/v1/credits/checkout', {
      token: user.accessToken,
      body: { packId: 'pack_10', successUrl: `${ORIGIN}/ok`, cancelUrl: `${ORIGIN}/cancel` },
    }),
  )
  return new URL(checkout.body.url).pathname.split('/').pop() as string
}

interface Person {
  auth: AuthResponse
  /** A second sign-in (another device). */
  other: AuthResponse
  id: string
  email: string
  name: string
  /** Unique strings only this person's data contains. */
  secrets: string[]
  closedSession: string
  waitingSession: string
  attachments: string[]
  pendingPurchase: string
}

/**
 * A user with everything the policy lists: sessions (closed with a builder, waiting, cancelled),
 * text, code and file messages from both sides, an unsent upload, a purchase and a pending one,
 * ledger rows, emails, a stack audit, and two sign-ins.
 */
async function populate(label: string): Promise<Person> {
  const tag = `${label}${Math.random().toString(36).slice(2, 8)}`
  const name = `Person ${tag}`
  const auth = await createUser(server, { name, email: `${tag.toLowerCase()}@rights.example`, credits: 3 })
  const email = auth.user.email as string
  const other = await signIn(server.url, email)
  const s = (what: string) => `${what}-${tag}`

  const closedSession = await start(auth, s('topic-closed'), {
    url: `https://${tag}.example/app`,
    error: s('context-error'),
  })
  const userFile = await upload(
    auth.accessToken,
    closedSession,
    `${s('user-file')}.log`,
    s('user-file-content'),
  )
  await send(auth.accessToken, closedSession, { text: s('user-text'), attachmentIds: [userFile] })
  await send(auth.accessToken, closedSession, { code: { language: 'ts', content: s('user-code') } })
  ok(
    await api(server.url, 'POST', `/v1/builder/sessions/${closedSession}/claim`, {
      token: grace.accessToken,
    }),
  )
  const builderFile = await upload(
    grace.accessToken,
    closedSession,
    `${s('builder-file')}.patch`,
    s('builder-file-content'),
  )
  await send(grace.accessToken, closedSession, { text: s('builder-text'), attachmentIds: [builderFile] })
  ok(await api(server.url, 'POST', `/v1/sessions/${closedSession}/close`, { token: auth.accessToken }))
  ok(
    await api(server.url, 'POST', `/v1/sessions/${closedSession}/rating`, {
      token: auth.accessToken,
      body: { score: 5, comment: s('rating-comment') },
    }),
  )

  const waitingSession = await start(auth, s('topic-waiting'))
  const unsent = await upload(
    auth.accessToken,
    waitingSession,
    `${s('unsent-file')}.txt`,
    s('unsent-content'),
  )
  const cancelled = await start(auth, s('topic-cancelled'))
  ok(await api(server.url, 'POST', `/v1/sessions/${cancelled}/cancel`, { token: auth.accessToken }))

  await buy(auth)
  const pendingPurchase = await pendingCheckout(auth)
  ok(
    await api(server.url, 'POST', '/v1/audits', {
      token: auth.accessToken,
      body: { email, building: s('audit-building'), tools: ['cursor'], blockers: s('audit-blockers') },
    }),
    201,
  )
  await server.current.mailer.flush()
  return {
    auth,
    other,
    id: auth.user.id,
    email,
    name,
    secrets: [
      tag,
      ...['topic-closed', 'context-error', 'user-text', 'user-code', 'builder-text', 'rating-comment'].map(s),
      ...[
        'topic-waiting',
        'topic-cancelled',
        'audit-building',
        'audit-blockers',
        'user-file',
        'builder-file',
      ].map(s),
      s('unsent-file'),
    ],
    closedSession,
    waitingSession,
    attachments: [userFile, builderFile, unsent],
    pendingPurchase,
  }
}

/** Every row of every table (Kysely introspection: the same on SQLite and PostgreSQL). */
async function everyRow() {
  const tables = await db().introspection.getTables()
  const rows: { table: string; row: Record<string, unknown> }[] = []
  for (const table of tables) {
    // Kysely's own bookkeeping, and rate-limit counters (short-lived, kept for abuse protection).
    if (table.name.startsWith('kysely_') || table.name === 'rate_limits') continue
    // biome-ignore lint/suspicious/noExplicitAny: every table, whatever its type
    const all = await (db() as any).selectFrom(table.name).selectAll().execute()
    for (const row of all) rows.push({ table: table.name, row })
  }
  return rows
}

const mentions = (row: Record<string, unknown>, needles: string[]) => {
  const text = JSON.stringify(row).toLowerCase()
  return needles.filter((n) => text.includes(n.toLowerCase()))
}

describe('export', () => {
  let ada: Person
  let bob: Person
  // biome-ignore lint/suspicious/noExplicitAny: the export document, read loosely
  let exported: any
  let text: string
  beforeAll(async () => {
    ada = await populate('Ada')
    bob = await populate('Bob')
    const result = ok(await api(server.url, 'GET', '/v1/account/export', { token: ada.auth.accessToken }))
    exported = result.body
    text = JSON.stringify(exported)
  })

  const exportedMessages = () =>
    // biome-ignore lint/suspicious/noExplicitAny: loose export document
    exported.sessions.flatMap((s: any) => s.messages) as any[]
  const exportedAttachments = () => [
    ...exported.attachments,
    // biome-ignore lint/suspicious/noExplicitAny: loose export document
    ...exportedMessages().flatMap((m: any) => m.attachments),
  ]

  test('users: the account row', async () => {
    const row = await db().selectFrom('users').selectAll().where('id', '=', ada.id).executeTakeFirstOrThrow()
    expect(exported.user).toMatchObject({ id: row.id, name: row.name, email: row.email, role: row.role })
    expect(exported.user.createdAt).toBe(row.created_at)
    // The password hash is stored but is not the user's to take away (and must never leave the server).
    expect(text).not.toContain(row.password_hash)
  })

  test('sessions: every session of the user, with topic, context, status and rating', async () => {
    const rows = await db().selectFrom('sessions').selectAll().where('user_id', '=', ada.id).execute()
    expect(rows).toHaveLength(3)
    // biome-ignore lint/suspicious/noExplicitAny: loose export document
    expect(exported.sessions.map((s: any) => s.id).sort()).toEqual(rows.map((r) => r.id).sort())
    for (const row of rows) {
      // biome-ignore lint/suspicious/noExplicitAny: loose export document
      const session = exported.sessions.find((s: any) => s.id === row.id)
      expect(session).toMatchObject({
        topic: row.topic,
        tool: row.tool,
        status: row.status,
        kind: row.kind,
        cost: row.cost,
        context: row.context === null ? null : JSON.parse(row.context),
        createdAt: row.created_at,
        closedAt: row.closed_at,
      })
      if (row.rating_score !== null)
        expect(session.rating).toEqual({ score: row.rating_score, comment: row.rating_comment })
    }
  })

  test('messages: every message of those sessions (both sides, events included)', async () => {
    const sessionIds = (
      await db().selectFrom('sessions').select('id').where('user_id', '=', ada.id).execute()
    ).map((s) => s.id)
    const rows = await db().selectFrom('messages').selectAll().where('session_id', 'in', sessionIds).execute()
    expect(rows.length).toBeGreaterThanOrEqual(8)
    const messages = exportedMessages()
    expect(messages.map((m) => m.id).sort()).toEqual(rows.map((r) => r.id).sort())
    for (const row of rows) {
      const message = messages.find((m) => m.id === row.id)
      expect(message).toMatchObject({
        sessionId: row.session_id,
        seq: row.seq,
        author: row.author,
        body: row.body,
      })
      if (row.code_content !== null)
        expect(message.code).toEqual({ language: row.code_language, content: row.code_content })
    }
  })

  test('attachments: the metadata of every file the user uploaded or received (sent or not)', async () => {
    const sessionIds = db().selectFrom('sessions').select('id').where('user_id', '=', ada.id)
    const rows = await db()
      .selectFrom('attachments')
      .selectAll()
      .where((eb) => eb.or([eb('uploader_id', '=', ada.id), eb('session_id', 'in', sessionIds)]))
      .execute()
    expect(rows.map((r) => r.id).sort()).toEqual([...ada.attachments].sort())
    const listed = exportedAttachments()
    for (const row of rows) {
      expect(
        listed.find((a) => a.id === row.id),
        `attachment ${row.name}`,
      ).toMatchObject({
        name: row.name,
        type: row.type,
        size: row.size,
      })
    }
  })

  test('ledger: every transaction', async () => {
    const rows = await db().selectFrom('ledger').selectAll().where('user_id', '=', ada.id).execute()
    expect(rows.map((r) => r.kind).sort()).toEqual(
      ['grant', 'hold', 'capture', 'hold', 'hold', 'release', 'purchase'].sort(),
    )
    expect(
      // biome-ignore lint/suspicious/noExplicitAny: loose export document
      exported.transactions.map((t: any) => [t.id, t.kind, t.amount, t.reference, t.createdAt]).sort(),
    ).toEqual(rows.map((r) => [r.id, r.kind, r.amount, r.reference, r.created_at]).sort())
  })

  test('purchases: every purchase, paid and pending', async () => {
    const rows = await db().selectFrom('purchases').selectAll().where('user_id', '=', ada.id).execute()
    expect(rows.map((r) => r.status).sort()).toEqual(['paid', 'pending'])
    // biome-ignore lint/suspicious/noExplicitAny: loose export document
    expect([...exported.purchases].sort((a: any, b: any) => a.id.localeCompare(b.id))).toEqual(
      [...rows].sort((a, b) => a.id.localeCompare(b.id)),
    )
  })

  test('stack audits: every audit sent while signed in', async () => {
    const rows = await db().selectFrom('audits').selectAll().where('user_id', '=', ada.id).execute()
    expect(rows).toHaveLength(1)
    // biome-ignore lint/suspicious/noExplicitAny: loose export document
    expect(exported.audits.map((a: any) => [a.id, a.building, a.blockers])).toEqual(
      rows.map((r) => [r.id, r.building, r.blockers]),
    )
  })

  test('sign-ins: every refresh-token family', async () => {
    const rows = await db().selectFrom('refresh_families').selectAll().where('user_id', '=', ada.id).execute()
    expect(rows.length).toBeGreaterThanOrEqual(2)
    // biome-ignore lint/suspicious/noExplicitAny: loose export document
    expect(exported.signIns.map((f: any) => f.id).sort()).toEqual(rows.map((r) => r.id).sort())
  })

  test('emails: every email sent to the user, the audit confirmation included', async () => {
    const rows = await db().selectFrom('emails').selectAll().where('user_id', '=', ada.id).execute()
    expect(rows.map((r) => r.kind).sort()).toEqual(
      ['audit', 'low_balance', 'receipt', 'session_started', 'session_started', 'session_started'].sort(),
    )
    // biome-ignore lint/suspicious/noExplicitAny: loose export document
    expect(exported.emails.map((e: any) => [e.id, e.subject, e.body]).sort()).toEqual(
      rows.map((r) => [r.id, r.subject, r.body]).sort(),
    )
  })

  test('nothing of another user’s: no id, email, name, text or file of theirs appears', async () => {
    const theirs = [
      bob.id,
      bob.email,
      bob.name,
      ...bob.secrets,
      ...bob.attachments,
      bob.closedSession,
      bob.waitingSession,
      bob.pendingPurchase,
    ]
    const rows = {
      ledger: await db().selectFrom('ledger').select('id').where('user_id', '=', bob.id).execute(),
      purchases: await db().selectFrom('purchases').select('id').where('user_id', '=', bob.id).execute(),
      emails: await db().selectFrom('emails').select('id').where('user_id', '=', bob.id).execute(),
      audits: await db().selectFrom('audits').select('id').where('user_id', '=', bob.id).execute(),
      families: await db()
        .selectFrom('refresh_families')
        .select('id')
        .where('user_id', '=', bob.id)
        .execute(),
      messages: await db()
        .selectFrom('messages')
        .select('id')
        .where('session_id', 'in', db().selectFrom('sessions').select('id').where('user_id', '=', bob.id))
        .execute(),
    }
    for (const list of Object.values(rows)) {
      expect(list.length).toBeGreaterThan(0)
      theirs.push(...list.map((r) => r.id))
    }
    const leaked = theirs.filter((needle) => text.toLowerCase().includes(needle.toLowerCase()))
    expect(leaked).toEqual([])
    // And Ada's own data is really there (the check above would pass on an empty export).
    for (const mine of ada.secrets) expect(text, mine).toContain(mine)
  })

  test('the export is only for the signed-in user', async () => {
    expect((await api(server.url, 'GET', '/v1/account/export')).status).toBe(401)
  })
})

describe('account deletion', () => {
  let dora: Person
  let bystander: Person
  let ledgerIds: string[]
  let purchaseIds: string[]
  let sockets: Awaited<ReturnType<typeof openSocket>>[]
  let bystanderSocket: Awaited<ReturnType<typeof openSocket>>
  let needles: string[]
  const filesDir = () => server.current.context.filesDir
  beforeAll(async () => {
    dora = await populate('Dora')
    bystander = await populate('Bystander')
    needles = [dora.id, dora.email, dora.name, ...dora.secrets]
    for (const id of dora.attachments) expect(existsSync(join(filesDir(), id))).toBe(true)
    ledgerIds = (await db().selectFrom('ledger').select('id').where('user_id', '=', dora.id).execute()).map(
      (r) => r.id,
    )
    purchaseIds = (
      await db().selectFrom('purchases').select('id').where('user_id', '=', dora.id).execute()
    ).map((r) => r.id)
    expect(ledgerIds.length).toBeGreaterThan(0)
    expect(purchaseIds).toHaveLength(2)
    sockets = [
      await openSocket(server.url, dora.auth.accessToken),
      await openSocket(server.url, dora.other.accessToken),
    ]
    bystanderSocket = await openSocket(server.url, bystander.auth.accessToken)
    const builderBefore = ok(
      await api(server.url, 'GET', `/v1/sessions/${dora.closedSession}`, { token: grace.accessToken }),
    )
    expect(builderBefore.body.session.topic).toContain('topic-closed')

    ok(await api(server.url, 'DELETE', '/v1/account', { token: dora.auth.accessToken }))
  })
  afterAll(() => bystanderSocket.close())

  test('she is signed out everywhere: open sockets closed as revoked, old access and refresh tokens refused', async () => {
    for (const socket of sockets) expect(await socket.closed).toBe(CLOSE_CODES.revoked)
    for (const tokens of [dora.auth, dora.other]) {
      expect((await api(server.url, 'GET', '/v1/me', { token: tokens.accessToken })).status).toBe(401)
      expect((await api(server.url, 'GET', '/v1/credits', { token: tokens.accessToken })).status).toBe(401)
      expect((await api(server.url, 'GET', '/v1/account/export', { token: tokens.accessToken })).status).toBe(
        401,
      )
      const refreshed = await api(server.url, 'POST', '/v1/auth/refresh', {
        app: DEMO.appId,
        body: { refreshToken: tokens.refreshToken },
      })
      expect(refreshed.status).toBe(401)
    }
    const late = await openSocket(server.url, dora.auth.accessToken, { waitReady: false })
    expect([CLOSE_CODES.revoked, CLOSE_CODES.unauthorized]).toContain(await late.closed)
    const again = await api(server.url, 'POST', '/v1/auth/sign-in', {
      app: DEMO.appId,
      body: { email: dora.email, password: DEMO.user.password },
    })
    expect(again.status).toBe(401)
  })

  test('the billing rows stay, with user_id NULL', async () => {
    const ledger = await db().selectFrom('ledger').selectAll().where('id', 'in', ledgerIds).execute()
    expect(ledger).toHaveLength(ledgerIds.length)
    expect(ledger.every((r) => r.user_id === null)).toBe(true)
    const purchases = await db().selectFrom('purchases').selectAll().where('id', 'in', purchaseIds).execute()
    expect(purchases).toHaveLength(2)
    expect(purchases.every((r) => r.user_id === null)).toBe(true)
  })

  test('no row of any table refers to her (id, email, name, her texts), billing rows included', async () => {
    const remaining = (await everyRow())
      .map(({ table, row }) => ({ table, id: row.id ?? row.key, found: mentions(row, needles) }))
      .filter((r) => r.found.length > 0)
    expect(remaining).toEqual([])
  })

  test('her files, and the files the builder sent her, are gone from disk', async () => {
    for (const id of dora.attachments) expect(existsSync(join(filesDir(), id)), id).toBe(false)
  })

  test('the builder no longer sees the shared session, its messages, its files, or the waiting one in the queue', async () => {
    expect(
      (await api(server.url, 'GET', `/v1/sessions/${dora.closedSession}`, { token: grace.accessToken }))
        .status,
    ).toBe(404)
    expect(
      (
        await api(server.url, 'GET', `/v1/sessions/${dora.closedSession}/messages`, {
          token: grace.accessToken,
        })
      ).status,
    ).toBe(404)
    for (const id of dora.attachments)
      expect(
        (await api(server.url, 'GET', `/v1/attachments/${id}`, { token: grace.accessToken })).status,
      ).toBe(404)
    const list = ok(await api(server.url, 'GET', '/v1/sessions', { token: grace.accessToken }))
    // biome-ignore lint/suspicious/noExplicitAny: loose session list
    expect(list.body.sessions.map((s: any) => s.id)).not.toContain(dora.closedSession)
    const queue = ok(await api(server.url, 'GET', '/v1/builder/queue', { token: grace.accessToken }))
    // biome-ignore lint/suspicious/noExplicitAny: loose queue
    expect(queue.body.queue.map((s: any) => s.id)).not.toContain(dora.waitingSession)
    const builderExport = JSON.stringify(
      ok(await api(server.url, 'GET', '/v1/account/export', { token: grace.accessToken })).body,
    )
    expect(needles.filter((n) => builderExport.includes(n))).toEqual([])
  })

  test('someone else’s account is untouched', async () => {
    expect(bystanderSocket.ws.readyState).toBe(bystanderSocket.ws.OPEN)
    const theirs = ok(
      await api(server.url, 'GET', '/v1/account/export', { token: bystander.auth.accessToken }),
    ).body
    expect(theirs.sessions).toHaveLength(3)
    for (const secret of bystander.secrets) expect(JSON.stringify(theirs)).toContain(secret)
    for (const id of bystander.attachments) expect(existsSync(join(filesDir(), id))).toBe(true)
  })

  test('claiming someone’s email address reaches none of their audits or emails', async () => {
    // Emails are not verified: a vendor token (or a sign-up) can carry any address.
    const victim = await createUser(server, {
      email: `victim-${Math.random().toString(36).slice(2, 8)}@rights.example`,
    })
    const address = victim.user.email as string
    ok(
      await api(server.url, 'POST', '/v1/audits', {
        token: victim.accessToken,
        body: { email: address, building: 'victim-audit', tools: [], blockers: '' },
      }),
      201,
    )
    ok(
      await api(server.url, 'POST', '/v1/audits', {
        body: { email: address, building: 'anonymous-audit', tools: [], blockers: '' },
      }),
      201,
    )
    const token = await signIdentityToken({ sub: 'impostor', name: 'Impostor', email: address.toUpperCase() })
    const impostor = ok(
      await api(server.url, 'POST', '/v1/auth/identify', { app: DEMO.appId, body: { token } }),
    ).body

    const exported = ok(
      await api(server.url, 'GET', '/v1/account/export', { token: impostor.accessToken }),
    ).body
    expect(exported.audits).toEqual([])
    expect(exported.emails).toEqual([])
    ok(await api(server.url, 'DELETE', '/v1/account', { token: impostor.accessToken }))

    const audits = await db()
      .selectFrom('audits')
      .select(['building', 'user_id'])
      .where('email', '=', address)
      .execute()
    expect(audits).toEqual(
      expect.arrayContaining([
        { building: 'victim-audit', user_id: victim.user.id },
        { building: 'anonymous-audit', user_id: null },
      ]),
    )
    const emails = await db()
      .selectFrom('emails')
      .select('user_id')
      .where('to_address', '=', address)
      .execute()
    expect(emails.map((e) => e.user_id).sort()).toEqual([null, victim.user.id].sort())
    const theirs = ok(await api(server.url, 'GET', '/v1/account/export', { token: victim.accessToken })).body
    expect(theirs.audits.map((a: { building: string }) => a.building)).toEqual(['victim-audit'])
  })

  test('deleting the demo user (credits from the seed): the kept ledger rows do not carry her id either', async () => {
    const ada = await signIn(server.url, DEMO.user.email)
    ok(await api(server.url, 'DELETE', '/v1/account', { token: ada.accessToken }))
    const left = (await everyRow())
      .map(({ table, row }) => ({ table, row, found: mentions(row, [ada.user.id, DEMO.user.email]) }))
      .filter((r) => r.found.length > 0)
    expect(left).toEqual([])
  })

  test('a payment that completes after the account was deleted is recorded on the anonymised purchase and grants nobody', async () => {
    const user = await createUser(server)
    const purchaseId = await pendingCheckout(user)
    ok(await api(server.url, 'DELETE', '/v1/account', { token: user.accessToken }))
    const payload = stripeEventPayload(
      'checkout.session.completed',
      checkoutSessionObject({ purchaseId, paymentIntent: 'pi_after_deletion', amount: 8900 }),
    )
    const result = await deliverStripeWebhook(
      server.url,
      payload,
      signStripePayload(payload, DEV_WEBHOOK_SECRET),
    )
    expect(result.status).toBe(200)
    const purchase = await db()
      .selectFrom('purchases')
      .selectAll()
      .where('id', '=', purchaseId)
      .executeTakeFirstOrThrow()
    expect(
      await db()
        .selectFrom('ledger')
        .selectAll()
        .where('idempotency_key', '=', `purchase:${purchaseId}`)
        .execute(),
    ).toEqual([])
    // Money was taken: the 7-year billing record must say so (and the operator can refund it).
    expect(purchase).toMatchObject({ user_id: null, status: 'paid', payment_intent: 'pi_after_deletion' })
  })
})

describe('transcript deletion', () => {
  const ACTORS = ['anonymous', 'owner', 'otherUser', 'builder', 'otherBuilder'] as const
  type Actor = (typeof ACTORS)[number]
  const CODE_OF: Record<number, string> = Object.fromEntries(
    Object.entries(ERROR_STATUS).map(([code, status]) => [status, code]),
  )
  let owner: AuthResponse
  let otherUser: AuthResponse
  beforeAll(async () => {
    owner = await createUser(server, { name: 'Transcript Owner', credits: 100 })
    otherUser = await createUser(server, { credits: 1 })
  })
  const tokenOf = (actor: Actor) =>
    ({
      anonymous: undefined,
      owner: owner.accessToken,
      otherUser: otherUser.accessToken,
      builder: grace.accessToken,
      otherBuilder: linus.accessToken,
    })[actor]

  async function sessionIn(state: 'waiting' | 'active' | 'closed' | 'cancelled') {
    const id = await start(owner, `transcript ${state}`)
    await send(owner.accessToken, id, { text: `hello from a ${state} session` })
    if (state === 'active' || state === 'closed')
      ok(await api(server.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: grace.accessToken }))
    if (state === 'closed')
      ok(await api(server.url, 'POST', `/v1/sessions/${id}/close`, { token: owner.accessToken }))
    if (state === 'cancelled')
      ok(await api(server.url, 'POST', `/v1/sessions/${id}/cancel`, { token: owner.accessToken }))
    return id
  }

  // state          anonymous owner otherUser builder otherBuilder ("builder" is grace: assigned once claimed)
  const MATRIX: ['waiting' | 'active' | 'closed' | 'cancelled', number[]][] = [
    ['waiting', [401, 409, 404, 403, 403]],
    ['active', [401, 409, 404, 403, 404]],
    ['closed', [401, 200, 404, 403, 404]],
    ['cancelled', [401, 200, 404, 404, 404]],
  ]
  const rows = MATRIX.flatMap(([state, expected]) =>
    ACTORS.map((actor, i) => ({ state, actor, status: expected[i] as number })),
  )

  test.each(rows)(
    'DELETE /v1/sessions/:id/transcript | $state | $actor → $status',
    async ({ state, actor, status }) => {
      const id = await sessionIn(state)
      const before = await db().selectFrom('messages').selectAll().where('session_id', '=', id).execute()
      const result = await api(server.url, 'DELETE', `/v1/sessions/${id}/transcript`, {
        token: tokenOf(actor),
      })
      expect({ status: result.status, body: result.body }).toMatchObject({ status })
      if (status >= 400) {
        expect(result.body.error.code).toBe(CODE_OF[status])
        expect(await db().selectFrom('messages').selectAll().where('session_id', '=', id).execute()).toEqual(
          before,
        )
        const row = await db()
          .selectFrom('sessions')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
        expect(row.topic).toBe(`transcript ${state}`)
      }
    },
  )

  /** A closed session with text, code and files from both sides; returns what it contains. */
  async function fullTranscript() {
    const tag = Math.random().toString(36).slice(2, 8)
    const id = await start(owner, `secret topic ${tag}`, {
      file: `src/${tag}.ts`,
      error: `context error ${tag}`,
    })
    const mine = await upload(owner.accessToken, id, `owner-${tag}.env`, `OWNER_FILE_${tag}`)
    await send(owner.accessToken, id, { text: `owner text ${tag}`, attachmentIds: [mine] })
    await send(owner.accessToken, id, { code: { language: 'sql', content: `select owner_code_${tag}` } })
    ok(await api(server.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: grace.accessToken }))
    const theirs = await upload(grace.accessToken, id, `builder-${tag}.diff`, `BUILDER_FILE_${tag}`)
    await send(grace.accessToken, id, { text: `builder text ${tag}`, attachmentIds: [theirs] })
    ok(await api(server.url, 'POST', `/v1/sessions/${id}/close`, { token: owner.accessToken }))
    ok(
      await api(server.url, 'POST', `/v1/sessions/${id}/rating`, {
        token: owner.accessToken,
        body: { score: 4, comment: `rating comment ${tag}` },
      }),
    )
    const texts = [
      `secret topic ${tag}`,
      `src/${tag}.ts`,
      `context error ${tag}`,
      `owner text ${tag}`,
      `owner_code_${tag}`,
      `builder text ${tag}`,
      `owner-${tag}.env`,
      `builder-${tag}.diff`,
      `rating comment ${tag}`,
    ]
    return { id, files: [mine, theirs], texts }
  }

  test('the owner deletes an ended transcript: messages and files go, the session row stays (for billing) without topic or context', async () => {
    const { id, files } = await fullTranscript()
    const filesDir = server.current.context.filesDir
    for (const file of files) expect(existsSync(join(filesDir, file))).toBe(true)
    const ledgerBefore = await db().selectFrom('ledger').selectAll().where('reference', '=', id).execute()
    expect(ledgerBefore.map((r) => r.kind).sort()).toEqual(['capture', 'hold'])

    ok(await api(server.url, 'DELETE', `/v1/sessions/${id}/transcript`, { token: owner.accessToken }))

    expect(await db().selectFrom('messages').selectAll().where('session_id', '=', id).execute()).toEqual([])
    expect(await db().selectFrom('attachments').selectAll().where('session_id', '=', id).execute()).toEqual(
      [],
    )
    for (const file of files) {
      expect(existsSync(join(filesDir, file)), file).toBe(false)
      for (const token of [owner.accessToken, grace.accessToken])
        expect((await api(server.url, 'GET', `/v1/attachments/${file}`, { token })).status).toBe(404)
    }
    const row = await db().selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      status: 'closed',
      topic: '',
      context: null,
      rating_comment: null,
      user_id: owner.user.id,
    })
    expect(await db().selectFrom('ledger').selectAll().where('reference', '=', id).execute()).toEqual(
      ledgerBefore,
    )

    // Both sides see an empty transcript.
    for (const token of [owner.accessToken, grace.accessToken]) {
      const session = ok(await api(server.url, 'GET', `/v1/sessions/${id}`, { token })).body.session
      expect(session).toMatchObject({ topic: '', context: null, status: 'closed' })
      const messages = ok(await api(server.url, 'GET', `/v1/sessions/${id}/messages`, { token })).body
        .messages
      expect(messages).toEqual([])
    }
  })

  test('after a transcript is deleted, none of its text remains anywhere in the database or the export', async () => {
    const { id, texts } = await fullTranscript()
    ok(await api(server.url, 'DELETE', `/v1/sessions/${id}/transcript`, { token: owner.accessToken }))
    const exported = JSON.stringify(
      ok(await api(server.url, 'GET', '/v1/account/export', { token: owner.accessToken })).body,
    )
    expect
      .soft(
        texts.filter((t) => exported.includes(t)),
        'in the export',
      )
      .toEqual([])
    const left = (await everyRow())
      .map(({ table, row }) => ({ table, id: row.id, found: mentions(row, texts) }))
      .filter((r) => r.found.length > 0)
    expect(left).toEqual([])
  })
})

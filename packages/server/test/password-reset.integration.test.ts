import { createHash } from 'node:crypto'
import { request } from 'node:http'
import { type AuthResponse, CLOSE_CODES } from '@suportra/protocol'
import {
  api,
  createUser,
  DEMO,
  type FakeResend,
  openSocket,
  signIn,
  startFakeResend,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const PAGE = 'http://localhost:5173/app/editor?tab=2'
const NEW_PASSWORD = 'a-brand-new-password'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    rateLimits: {
      passwordResetsPerIp: { points: 1_000, duration: 60 },
      passwordResetConfirms: { points: 1_000, duration: 60 },
    },
  })
})
afterAll(() => server.close())

const db = () => server.current.context.store.db
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url')

const ask = (email: string, url = PAGE, on = server, app: string = DEMO.appId) =>
  api(on.url, 'POST', '/v1/auth/password-reset', { app, body: { email, url } })
const confirm = (token: string, password = NEW_PASSWORD, app: string = DEMO.appId) =>
  api(server.url, 'POST', '/v1/auth/password-reset/confirm', { app, body: { token, password } })

/** The reset emails queued for `to` (the request answers before it queues one: wait for it). */
async function resetEmails(to: string, count = 1, on = server) {
  const rows = () =>
    on.current.context.store.db
      .selectFrom('emails')
      .selectAll()
      .where('to_address', '=', to)
      .where('kind', '=', 'password_reset')
      .orderBy('created_at')
      .execute()
  await expect.poll(async () => (await rows()).length).toBe(count)
  return rows()
}

/** A JSON POST to the demo app with the `Host` header as given (fetch does not let a caller set it). */
function forgedHost(path: string, host: string, body: string) {
  const { hostname, port } = new URL(server.url)
  const headers = { host, 'x-suportra-app': DEMO.appId, 'content-type': 'application/json' }
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: hostname, port, method: 'POST', path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** The token in the newest reset email sent to `to`. */
async function linkFor(to: string, count = 1) {
  const rows = await resetEmails(to, count)
  const link = rows.at(-1)?.body.match(/(http\S+#suportra-reset=([\w-]+))/)
  if (!link) throw new Error('no reset link in the email')
  return { url: link[1] as string, token: link[2] as string }
}

describe('asking for a reset link', () => {
  test('emails a link to the page it was asked from, with the token in the fragment; only its hash is stored', async () => {
    const user = await createUser(server)
    const email = user.user.email as string
    const result = await ask(email)
    expect(result.status).toBe(202)
    expect(result.body).toEqual({ ok: true })
    const { url, token } = await linkFor(email)
    expect(url).toBe(`${PAGE}#suportra-reset=${token}`)
    expect(token.length).toBeGreaterThanOrEqual(43)
    const [email1] = await resetEmails(email)
    expect(email1).toMatchObject({ user_id: user.user.id, subject: 'Reset your Suportra password' })
    expect(email1?.body).toContain('within 30 minutes')
    // The account's name is not quoted: anyone could have chosen it for this address.
    expect(email1?.body).not.toContain('Test User')
    const rows = await db()
      .selectFrom('password_resets')
      .selectAll()
      .where('user_id', '=', user.user.id)
      .execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]?.token_hash).toBe(sha256(token))
    expect(JSON.stringify(rows)).not.toContain(token)
    expect((rows[0]?.expires_at ?? 0) - (rows[0]?.created_at ?? 0)).toBe(30 * 60_000)
  })

  test('the answer is the same for an unknown address, and nothing is stored or sent', async () => {
    const user = await createUser(server)
    const known = await ask(user.user.email as string)
    const unknown = await ask('nobody-here@example.com')
    const shape = (r: typeof known) => ({
      status: r.status,
      body: r.body,
      headers: [...r.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id'),
    })
    expect(shape(unknown)).toEqual(shape(known))
    await resetEmails(user.user.email as string)
    expect(
      await db()
        .selectFrom('emails')
        .select('id')
        .where('to_address', '=', 'nobody-here@example.com')
        .execute(),
    ).toEqual([])
  })

  test('the answer does not wait for the account lookup: with the table locked, a known address is answered like an unknown one', async () => {
    const user = await createUser(server)
    const email = user.user.email as string
    const release = await lockPasswordResets()
    let answers: Awaited<ReturnType<typeof ask>>[]
    try {
      // Had the handler waited for its insert, these would hang (PostgreSQL) or fail as busy (SQLite).
      answers = await Promise.all([ask(email), ask('nobody-locked@example.com')])
    } finally {
      await release()
    }
    expect(answers.map((a) => a.status)).toEqual([202, 202])
    // PostgreSQL waited for the lock, and the link goes out; SQLite gave up on the write after its busy
    // timeout (logged; the person asks again), which the answer could not show either.
    if (server.current.context.store.dialect === 'postgres') await resetEmails(email)
  })

  test('refuses a link to an origin the app does not allow (403) and sends nothing', async () => {
    const user = await createUser(server)
    const result = await ask(user.user.email as string, 'https://phish.example/reset')
    expect(result.status).toBe(403)
    expect(result.body.error.message).toContain('https://phish.example')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(
      await db().selectFrom('password_resets').select('id').where('user_id', '=', user.user.id).execute(),
    ).toEqual([])
  })

  test('a link may open a page on the server itself (the builder console)', async () => {
    const user = await createUser(server)
    expect((await ask(user.user.email as string, `${server.url}/console/`)).status).toBe(202)
    expect((await linkFor(user.user.email as string)).url).toMatch(new RegExp(`^${server.url}/console/#`))
  })

  test("a forged Host does not make its name the server's own: a link to it is refused (403) and nothing is sent", async () => {
    // The attacker asks for a reset of the victim's account with `Host: evil.example` and a page on
    // evil.example: had the Host been trusted as the server's origin, the victim would get a genuine
    // email whose link hands the token to the attacker's page.
    const victim = await createUser(server)
    const email = victim.user.email as string
    const result = await forgedHost(
      '/v1/auth/password-reset',
      'evil.example',
      JSON.stringify({ email, url: 'http://evil.example/x' }),
    )
    expect(result.status).toBe(403)
    expect(JSON.parse(result.body).error.message).toContain('http://evil.example')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(
      await db().selectFrom('password_resets').select('id').where('user_id', '=', victim.user.id).execute(),
    ).toEqual([])
    expect(await db().selectFrom('emails').select('id').where('to_address', '=', email).execute()).toEqual([])
    // The same Host with the server's real origin as the page is fine: only the page's origin counts.
    const real = await forgedHost(
      '/v1/auth/password-reset',
      'evil.example',
      JSON.stringify({ email, url: `${server.url}/console/` }),
    )
    expect(real.status).toBe(202)
    expect((await linkFor(email)).url).toMatch(new RegExp(`^${server.url}/console/#`))
  })

  test('an identity-only app has no password accounts: asking and confirming get 403', async () => {
    const app = await server.current.context.apps.create({
      name: 'Identity only',
      allowedOrigins: ['http://localhost:*'],
      identityRequired: true,
    })
    const result = await ask(DEMO.user.email, PAGE, server, app.id)
    expect(result.status).toBe(403)
    expect(result.body.error.message).toContain('identity token')
    expect((await confirm('whatever', NEW_PASSWORD, app.id)).status).toBe(403)
  })
})

describe('using the link', () => {
  test('sets the new password, signs in, and ends every other sign-in: old password, tokens and sockets refused', async () => {
    const user = await createUser(server)
    const email = user.user.email as string
    const other = await signIn(server.url, email)
    const socket = await openSocket(server.url, other.accessToken)
    await ask(email)
    const { token } = await linkFor(email)

    const result = await confirm(token)
    expect(result.status).toBe(200)
    const signedIn = result.body as AuthResponse
    expect(signedIn.user).toMatchObject({ id: user.user.id, email })
    expect(await socket.closed).toBe(CLOSE_CODES.revoked)

    const withOld = await api(server.url, 'POST', '/v1/auth/sign-in', {
      app: DEMO.appId,
      body: { email, password: DEMO.user.password },
    })
    expect(withOld.status).toBe(401)
    expect((await signIn(server.url, email, NEW_PASSWORD)).user.id).toBe(user.user.id)
    for (const before of [user, other]) {
      const me = await api(server.url, 'GET', '/v1/me', { token: before.accessToken })
      expect(me.status).toBe(401)
      expect(me.body.error.details.reason).toBe('revoked')
      const refreshed = await api(server.url, 'POST', '/v1/auth/refresh', {
        body: { refreshToken: before.refreshToken },
      })
      expect(refreshed.status).toBe(401)
    }
    // The sign-in the reset made works.
    expect((await api(server.url, 'GET', '/v1/me', { token: signedIn.accessToken })).status).toBe(200)
  })

  test('works once: the same link again is refused, and the password stays', async () => {
    const user = await createUser(server)
    await ask(user.user.email as string)
    const { token } = await linkFor(user.user.email as string)
    expect((await confirm(token)).status).toBe(200)
    const again = await confirm(token, 'yet-another-password')
    expect(again.status).toBe(400)
    expect(again.body.error).toMatchObject({ code: 'validation', details: { reason: 'reset_link' } })
    await signIn(server.url, user.user.email as string, NEW_PASSWORD)
  })

  test('two uses of one link at once: exactly one succeeds', async () => {
    const user = await createUser(server)
    await ask(user.user.email as string)
    const { token } = await linkFor(user.user.email as string)
    const results = await Promise.all(
      ['first-new-password', 'second-new-password', 'third-new-password'].map((p) => confirm(token, p)),
    )
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400])
    const winner = ['first-new-password', 'second-new-password', 'third-new-password'][
      results.findIndex((r) => r.status === 200)
    ] as string
    await signIn(server.url, user.user.email as string, winner)
  })

  test('expires after 30 minutes', async () => {
    const user = await createUser(server)
    await ask(user.user.email as string)
    const { token } = await linkFor(user.user.email as string)
    await db()
      .updateTable('password_resets')
      .set({ expires_at: Date.now() - 1 })
      .where('token_hash', '=', sha256(token))
      .execute()
    const result = await confirm(token)
    expect(result.status).toBe(400)
    expect(result.body.error.message).toContain('ask for a new one')
    await signIn(server.url, user.user.email as string, DEMO.user.password)
  })

  test('a successful reset voids the other links asked for before', async () => {
    const user = await createUser(server)
    const email = user.user.email as string
    await ask(email)
    const first = await linkFor(email)
    await ask(email)
    const second = await linkFor(email, 2)
    expect(second.token).not.toBe(first.token)
    expect((await confirm(second.token)).status).toBe(200)
    expect((await confirm(first.token, 'sneaky-password')).status).toBe(400)
  })

  test('a link made for one app does not sign in to another (403)', async () => {
    const other = await server.current.context.apps.create({
      name: 'Other',
      allowedOrigins: ['http://localhost:*'],
    })
    const user = await createUser(server)
    await ask(user.user.email as string)
    const { token } = await linkFor(user.user.email as string)
    expect((await confirm(token, NEW_PASSWORD, other.id)).status).toBe(403)
    expect((await confirm(token)).status).toBe(200)
  })

  test('the links are in the account export (without tokens) and go with the account', async () => {
    const user = await createUser(server)
    await ask(user.user.email as string)
    const { token } = await linkFor(user.user.email as string)
    const exported = await api(server.url, 'GET', '/v1/account/export', { token: user.accessToken })
    expect(exported.body.passwordResets).toEqual([
      expect.objectContaining({ app_id: DEMO.appId, used_at: null, expires_at: expect.any(Number) }),
    ])
    expect(JSON.stringify(exported.body.passwordResets)).not.toContain(sha256(token))
    expect((await api(server.url, 'DELETE', '/v1/account', { token: user.accessToken })).status).toBe(200)
    expect(
      await db().selectFrom('password_resets').select('id').where('user_id', '=', user.user.id).execute(),
    ).toEqual([])
  })
})

describe('rate limits', () => {
  test('at most 3 links per address an hour, whether or not it has an account', async () => {
    for (const email of ['limited@example.com', (await createUser(server)).user.email as string]) {
      for (let i = 0; i < 3; i++) expect((await ask(email)).status).toBe(202)
      const refused = await ask(email)
      expect(refused.status).toBe(429)
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    }
  })

  test('wrong tokens tried from one address run out (429)', async () => {
    const limited = await startTestServer({
      rateLimits: { passwordResetConfirms: { points: 5, duration: 60 } },
    })
    try {
      const statuses = []
      for (let i = 0; i < 6; i++) {
        const result = await api(limited.url, 'POST', '/v1/auth/password-reset/confirm', {
          app: DEMO.appId,
          body: { token: `guess-${i}`, password: NEW_PASSWORD },
        })
        statuses.push(result.status)
      }
      expect(statuses).toEqual([400, 400, 400, 400, 400, 429])
    } finally {
      await limited.close()
    }
  })
})

describe('sent through Resend', () => {
  let fake: FakeResend
  let sending: TestServer
  beforeAll(async () => {
    fake = await startFakeResend()
    sending = await startTestServer({ resend: { apiKey: 're_test', baseUrl: fake.url } })
  })
  afterAll(async () => {
    await sending.close()
    await fake.close()
  })

  test('once sent, the stored email keeps no usable token', async () => {
    const user = await createUser(sending)
    const email = user.user.email as string
    expect((await ask(email, PAGE, sending)).status).toBe(202)
    const [queued] = await resetEmails(email, 1, sending)
    const token = queued?.body.match(/#suportra-reset=([\w-]+)/)?.[1] as string
    await sending.current.mailer.flush()
    await sending.current.mailer.flush()
    const sent = fake.emails().find((e) => e.body.to === email)
    expect(sent?.body.text).toContain(`#suportra-reset=${token}`)
    const [stored] = await resetEmails(email, 1, sending)
    expect(stored?.status).toBe('sent')
    expect(stored?.body).not.toContain(token)
    expect(stored?.body).toContain('#suportra-reset=(removed once sent)')
  })
})

/** Holds a write lock on `password_resets` until the returned function is called. */
async function lockPasswordResets(): Promise<() => Promise<void>> {
  const { store } = server.current.context
  if (store.dialect === 'sqlite') {
    // better-sqlite3 waits for a lock synchronously, holding this (shared) thread: wait briefly.
    await sql`pragma busy_timeout = 200`.execute(store.db)
    const other = new SQLite(server.dbFile)
    other.exec('BEGIN IMMEDIATE')
    return async () => {
      other.exec('ROLLBACK')
      other.close()
      await sql`pragma busy_timeout = 5000`.execute(store.db)
    }
  }
  let release = () => {}
  let locked = () => {}
  const held = new Promise<void>((resolve) => (release = resolve))
  const ready = new Promise<void>((resolve) => (locked = resolve))
  const done = store.db.transaction().execute(async (tx) => {
    await sql`lock table password_resets in exclusive mode`.execute(tx)
    locked()
    await held
  })
  await ready
  return async () => {
    release()
    await done
  }
}

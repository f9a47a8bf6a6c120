import type { AuthResponse } from '@suportra/protocol'
import {
  api,
  createUser,
  type FakeResend,
  startFakeResend,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Mailer } from '../src/email/outbox.js'

const ORIGIN = 'http://localhost:5173'
const FROM = 'Suportra Test <support@suportra.test>'

let fake: FakeResend
let server: TestServer
beforeAll(async () => {
  fake = await startFakeResend()
  server = await startTestServer({
    resend: { apiKey: 're_test', baseUrl: fake.url },
    emailFrom: FROM,
    rateLimits: { auditsPerIp: { points: 1_000, duration: 60 } },
  })
})
afterAll(async () => {
  await server.close()
  await fake.close()
})

const db = () => server.current.context.store.db

/**
 * Runs the mailer now. Twice: a pass the server's own timer started a moment earlier may have
 * selected due emails before the one under test was queued; the second pass starts after it.
 */
async function deliverMail(on: TestServer = server) {
  await on.current.mailer.flush()
  await on.current.mailer.flush()
}

/** Makes every pending email of `to` due now (as if its retry delay had passed). */
async function makeDue(to: string) {
  await db()
    .updateTable('emails')
    .set({ next_attempt_at: Date.now() - 1 })
    .where('to_address', '=', to)
    .where('status', '=', 'pending')
    .execute()
}

const outbox = (to: string) =>
  db().selectFrom('emails').selectAll().where('to_address', '=', to).orderBy('created_at').execute()
const delivered = (to: string) =>
  fake.emails().filter((e) => e.body.to === to || (Array.isArray(e.body.to) && e.body.to.includes(to)))

function start(user: AuthResponse, topic = 'Vercel build fails after upgrading Next', headers = {}) {
  return api(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    headers,
    body: { tool: 'cursor', topic },
  })
}

/** Buys a pack through the server's test checkout, as a user clicking "Pay" would. */
async function buy(user: AuthResponse, packId = 'pack_3') {
  const checkout = await api(server.url, 'POST', '/v1/credits/checkout', {
    token: user.accessToken,
    body: { packId, successUrl: `${ORIGIN}/ok`, cancelUrl: `${ORIGIN}/cancel` },
  })
  expect(checkout.status).toBe(200)
  const html = await (await fetch(checkout.body.url)).text()
  const action = html.match(/action="([^"]+)"/)?.[1]?.replaceAll('&#38;', '&') ?? ''
  const pay = await fetch(new URL(action, server.url), { method: 'POST', redirect: 'manual' })
  expect(pay.status).toBe(303)
}

/** Checks one request Resend received for the email row `row`. */
function expectSentThroughResend(row: { id: string; to_address: string; subject: string; body: string }) {
  const requests = fake.emails().filter((e) => e.idempotencyKey === row.id)
  expect(requests.filter((r) => r.request.status === 200)).toHaveLength(1)
  const sent = requests.find((r) => r.request.status === 200)
  expect(sent?.request.headers.authorization).toBe('Bearer re_test')
  expect(sent?.body).toMatchObject({ from: FROM, to: row.to_address, subject: row.subject })
  expect(sent?.body.text ?? sent?.body.html).toBe(row.body)
}

describe('sent through Resend', () => {
  test('starting a session sends a confirmation to the user, with the email id as Idempotency-Key', async () => {
    const user = await createUser(server, { name: 'Margaret', credits: 5 })
    const email = user.user.email as string
    expect((await start(user)).status).toBe(201)
    await deliverMail()
    const rows = await outbox(email)
    expect(rows).toHaveLength(1)
    const [row] = rows
    expect(row).toMatchObject({ kind: 'session_started', status: 'sent', user_id: user.user.id })
    expect(row?.sent_at).toEqual(expect.any(Number))
    expect(row?.subject).toBe('Your Suportra session has started')
    expect(row?.body).toContain('Margaret')
    expect(row?.body).toContain('Vercel build fails after upgrading Next')
    expect(row?.body).toContain('Cursor')
    expectSentThroughResend(row as NonNullable<typeof row>)
    expect(delivered(email)).toHaveLength(1)
  })

  test('a start retried with one Idempotency-Key sends one confirmation', async () => {
    const user = await createUser(server, { credits: 5 })
    const results = await Promise.all(
      Array.from({ length: 5 }, () => start(user, 'Retry me', { 'idempotency-key': 'email-start-once-1' })),
    )
    expect(new Set(results.map((r) => r.body.session.id)).size).toBe(1)
    await deliverMail()
    expect(delivered(user.user.email as string)).toHaveLength(1)
  })

  test('the low-balance alert is sent once per crossing: 3 → 2 → 1 → 0 sends one; buying back and falling again sends another', async () => {
    const user = await createUser(server, { name: 'Low Lou', credits: 3 })
    const email = user.user.email as string
    const lowAlerts = () => delivered(email).filter((e) => e.body.subject.includes('credit'))
    expect((await start(user, 'one')).status).toBe(201) // 3 → 2
    await deliverMail()
    expect(lowAlerts()).toHaveLength(0)
    expect((await start(user, 'two')).status).toBe(201) // 2 → 1: at the threshold
    await deliverMail()
    expect(lowAlerts()).toHaveLength(1)
    expect(lowAlerts()[0]?.body.subject).toBe('You have 1 Suportra credit left')
    expect((await start(user, 'three')).status).toBe(201) // 1 → 0: still below, no new alert
    await deliverMail()
    expect(lowAlerts()).toHaveLength(1)

    await buy(user) // 0 → 3, above the threshold again
    expect((await start(user, 'four')).status).toBe(201) // 3 → 2
    expect((await start(user, 'five')).status).toBe(201) // 2 → 1: a second crossing
    await deliverMail()
    expect(lowAlerts()).toHaveLength(2)
    const rows = (await outbox(email)).filter((r) => r.kind === 'low_balance')
    expect(rows).toHaveLength(2)
    for (const row of rows) expectSentThroughResend(row)
  })

  test('concurrent starts crossing the threshold once send one low-balance alert', async () => {
    const user = await createUser(server, { credits: 3 })
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => start(user, `parallel ${i}`)))
    expect(results.filter((r) => r.status === 201)).toHaveLength(3)
    await deliverMail()
    const rows = await outbox(user.user.email as string)
    expect(rows.filter((r) => r.kind === 'low_balance')).toHaveLength(1)
    expect(rows.filter((r) => r.kind === 'session_started')).toHaveLength(3)
  })

  test('a purchase sends a receipt', async () => {
    const user = await createUser(server, { name: 'Buyer Bea' })
    await buy(user, 'pack_10')
    await deliverMail()
    const rows = (await outbox(user.user.email as string)).filter((r) => r.kind === 'receipt')
    expect(rows).toHaveLength(1)
    const [row] = rows
    expect(row?.subject).toBe('Receipt: 10 conversations')
    expect(row?.body).toContain('Buyer Bea')
    expect(row?.body).toContain('10 credits')
    expect(row?.body).toContain('$89.00')
    expectSentThroughResend(row as NonNullable<typeof row>)
  })

  test('a stack audit sends a confirmation to the address given (no sign-in)', async () => {
    const submitted = await api(server.url, 'POST', '/v1/audits', {
      body: {
        email: 'Founder@Dental-CRM.example',
        building: 'A CRM for dentists',
        tools: ['cursor', 'v0'],
        blockers: 'Supabase auth in the preview builds',
      },
    })
    expect(submitted.status).toBe(201)
    await deliverMail()
    const rows = await outbox('founder@dental-crm.example')
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ kind: 'audit', subject: 'We received your stack audit request' })
    // The address is not verified: the email quotes nothing the sender wrote (no relay for spam).
    for (const text of ['A CRM for dentists', 'Supabase', 'cursor']) expect(rows[0]?.body).not.toContain(text)
    expectSentThroughResend(rows[0] as NonNullable<(typeof rows)[0]>)
  })
})

describe('failures and retries', () => {
  test('when Resend answers 500 the request still succeeds; the email stays pending and is retried with the same key', async () => {
    const user = await createUser(server, { credits: 2 })
    const email = user.user.email as string
    fake.mode = 500
    try {
      expect((await start(user, 'Resend is down')).status).toBe(201)
      const audit = await api(server.url, 'POST', '/v1/audits', {
        body: { email: 'down@audit.example', building: 'An app', tools: [], blockers: '' },
      })
      expect(audit.status).toBe(201)
      await deliverMail()
      const [row] = await outbox(email)
      expect(row).toMatchObject({ status: 'pending', attempts: 1 })
      expect(row?.last_error).toEqual(expect.any(String))
      expect(row?.next_attempt_at).toBeGreaterThan(Date.now())
      expect(fake.emails().filter((e) => e.idempotencyKey === row?.id)).toHaveLength(1)
      expect((await outbox('down@audit.example'))[0]).toMatchObject({ status: 'pending' })

      // Not due yet: another pass does not hammer Resend.
      await deliverMail()
      expect(fake.emails().filter((e) => e.idempotencyKey === row?.id)).toHaveLength(1)
    } finally {
      fake.mode = 200
    }
    await makeDue(email)
    await makeDue('down@audit.example')
    await deliverMail()
    const [row] = await outbox(email)
    expect(row).toMatchObject({ status: 'sent', attempts: 2, last_error: null })
    const attempts = fake.emails().filter((e) => e.idempotencyKey === row?.id)
    expect(attempts.map((a) => a.request.status)).toEqual([500, 200])
    expect(new Set(attempts.map((a) => JSON.stringify(a.body))).size).toBe(1)
    expect((await outbox('down@audit.example'))[0]).toMatchObject({ status: 'sent' })

    // Later passes, even with the row made due again, never send it a second time.
    await db()
      .updateTable('emails')
      .set({ next_attempt_at: 0 })
      .where('id', '=', row?.id ?? '')
      .execute()
    await deliverMail()
    expect(fake.emails().filter((e) => e.idempotencyKey === row?.id)).toHaveLength(2)
  })

  test('an email that keeps failing is marked failed after the last retry and then left alone', async () => {
    const user = await createUser(server, { credits: 1 })
    const email = user.user.email as string
    fake.mode = 503
    try {
      expect((await start(user, 'Always failing')).status).toBe(201)
      for (let i = 0; i < 10; i++) {
        await makeDue(email)
        await deliverMail()
      }
    } finally {
      fake.mode = 200
    }
    const [row] = await outbox(email)
    expect(row?.status).toBe('failed')
    expect(row?.last_error).toEqual(expect.any(String))
    const tries = fake.emails().filter((e) => e.idempotencyKey === row?.id).length
    expect(tries).toBe(row?.attempts)
    expect(tries).toBeGreaterThanOrEqual(3)
    expect(tries).toBeLessThan(10)
  })

  test('flushes racing on two instances send every email exactly once', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => createUser(server, { credits: 1 })))
    for (const user of users) expect((await start(user, 'Race')).status).toBe(201)
    const other = new Mailer(server.current.context) // a second server instance on the same database
    await Promise.all([
      server.current.mailer.flush(),
      other.flush(),
      server.current.mailer.flush(),
      other.flush(),
    ])
    await deliverMail()
    for (const user of users) {
      const [row] = await outbox(user.user.email as string)
      expect(row?.status).toBe('sent')
      expect(fake.emails().filter((e) => e.idempotencyKey === row?.id)).toHaveLength(1)
    }
  })

  /**
   * A server whose Resend never answers the first email's request (then answers normally). The
   * hanging request is released when the test ends.
   */
  async function withHungResend(
    fn: (slow: TestServer, hung: FakeResend, closing: { promise?: Promise<void> }) => Promise<void>,
  ) {
    const hung = await startFakeResend()
    const slow = await startTestServer({ resend: { apiKey: 're_test', baseUrl: hung.url } })
    const closing: { promise?: Promise<void> } = {}
    try {
      const first = await createUser(slow, { credits: 1 })
      hung.mode = 'hang'
      await api(slow.url, 'POST', '/v1/sessions', {
        token: first.accessToken,
        body: { tool: 'v0', topic: 'hangs' },
      })
      void slow.current.mailer.flush()
      for (let i = 0; i < 100 && hung.emails().length === 0; i++) await new Promise((r) => setTimeout(r, 50))
      expect(hung.emails()).toHaveLength(1)
      hung.mode = 200
      await fn(slow, hung, closing)
    } finally {
      const released = hung.close()
      await (closing.promise ?? slow.close())
      await released
    }
  }

  test(
    'a Resend request that never answers does not hold up the other emails for minutes',
    { timeout: 40_000 },
    () =>
      withHungResend(async (slow, hung) => {
        const second = await createUser(slow, { credits: 1 })
        await api(slow.url, 'POST', '/v1/sessions', {
          token: second.accessToken,
          body: { tool: 'v0', topic: 'waits behind it' },
        })
        const sent = () =>
          hung.emails().some((e) => e.body.to === second.user.email && e.request.status === 200)
        const deadline = Date.now() + 20_000
        while (Date.now() < deadline && !sent()) await new Promise((r) => setTimeout(r, 200))
        expect(sent()).toBe(true)
      }),
  )

  test('a Resend request that never answers does not block server shutdown', { timeout: 40_000 }, () =>
    withHungResend(async (slow, _, closing) => {
      closing.promise = slow.close()
      const outcome = await Promise.race([
        closing.promise.then(() => 'closed'),
        new Promise((r) => setTimeout(() => r('still closing after 5 s'), 5_000)),
      ])
      expect(outcome).toBe('closed')
    }),
  )
})

describe('without a Resend key (local outbox)', () => {
  let local: TestServer
  let idle: FakeResend
  beforeAll(async () => {
    idle = await startFakeResend()
    // The base URL is set but the key is not: nothing may be sent.
    local = await startTestServer({ resend: { baseUrl: idle.url } })
  })
  afterAll(async () => {
    await local.close()
    await idle.close()
  })

  test('emails stay in the local outbox and /dev/mail lists them, HTML-escaped', async () => {
    const user = await createUser(local, { name: 'Outbox Olga', credits: 5 })
    const started = await api(local.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'bolt', topic: 'Deploy <b>stuck</b> & "quoted" <script>alert(document.cookie)</script>' },
    })
    expect(started.status).toBe(201)
    const audit = await api(local.url, 'POST', '/v1/audits', {
      body: {
        email: 'xss@audit.example',
        building: '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>',
        tools: ['bolt'],
        blockers: 'none',
      },
    })
    expect(audit.status).toBe(201)
    await deliverMail(local)
    expect(idle.requests).toEqual([])

    const rows = await local.current.context.store.db.selectFrom('emails').selectAll().execute()
    expect(rows.map((r) => r.to_address).sort()).toEqual([user.user.email, 'xss@audit.example'].sort())

    const page = await fetch(`${local.url}/dev/mail`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await page.text()
    expect(html).toContain('Your Suportra session has started')
    expect(html).toContain('We received your stack audit request')
    expect(html).toContain(user.user.email as string)
    expect(html).toContain('Outbox Olga')
    // Escaped, never markup.
    expect(html).not.toContain('<script>alert')
    expect(html).not.toContain('<img src=x')
    expect(html).not.toContain('<b>stuck</b>')
    expect(html).toContain(
      'Deploy &#60;b&#62;stuck&#60;/b&#62; &#38; &#34;quoted&#34; &#60;script&#62;alert(document.cookie)&#60;/script&#62;',
    )
  })
})

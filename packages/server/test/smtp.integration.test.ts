import { api, DEMO, startTestServer, type TestServer } from '@suportra/server/testing'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, expect, test } from 'vitest'

// Email for self-hosters (issue 23): SMTP through nodemailer, against a real SMTP server process
// (smtp-server, from the nodemailer project) on a free port. Every email has a text and an HTML
// part, in the user's language (the Accept-Language they signed up with), signed with the app's name.

const received: ParsedMail[] = []
let smtp: SMTPServer
let server: TestServer

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail)
          callback()
        },
        (error) => callback(error),
      )
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  const { port } = smtp.server.address() as { port: number }
  server = await startTestServer({ smtp: { url: `smtp://127.0.0.1:${port}` } })
})
afterAll(async () => {
  await server?.close()
  await new Promise<void>((resolve) => smtp.close(() => resolve()))
})

async function startSessionAs(language: string) {
  const email = `smtp-${language.slice(0, 2)}-${Math.random().toString(36).slice(2, 8)}@example.com`
  const up = await api(server.url, 'POST', '/v1/auth/sign-up', {
    app: DEMO.appId,
    headers: { 'accept-language': language },
    body: { name: 'Noor', email, password: DEMO.user.password, ageConfirmed: true },
  })
  expect(up.status).toBe(201)
  await server.current.context.store.db
    .insertInto('ledger')
    .values({
      id: `txn_${email}`,
      user_id: up.body.user.id,
      kind: 'grant',
      amount: 1,
      idempotency_key: `grant:${email}`,
      reference: 'test',
      created_at: Date.now(),
    })
    .execute()
  const started = await api(server.url, 'POST', '/v1/sessions', {
    token: up.body.accessToken,
    body: { tool: 'cursor', topic: 'Build <fails> & "quotes"' },
  })
  expect(started.status).toBe(201)
  await server.current.mailer.flush()
  const mail = received.find((m) => m.to && 'text' in m.to && m.to.text === email)
  expect(mail, `an email to ${email}`).toBeDefined()
  return mail as ParsedMail
}

test('an Arabic user gets an SMTP email with a text part and a right-to-left HTML part, signed with the app name', async () => {
  const mail = await startSessionAs('ar-EG,ar;q=0.9,en;q=0.5')
  const { rows } = { rows: await server.current.context.store.db.selectFrom('apps').select('name').execute() }
  const appName = rows[0]?.name as string
  expect(mail.subject).toBe('بدأت جلسة Suportra الخاصة بك')
  expect(mail.text).toContain('تلقّينا طلبك بخصوص Cursor')
  expect(mail.text).toContain(appName)
  expect(mail.html).toMatch(/<html lang="ar" dir="rtl">/)
  expect(mail.html).toContain('dir="rtl"')
  // The topic is escaped in HTML, never markup.
  expect(mail.html).toContain('Build &lt;fails&gt; &amp; &quot;quotes&quot;')
  expect(mail.html).not.toContain('<fails>')
  expect(mail.messageId).toMatch(/^<eml_[\w-]+@suportra>$/)
})

test('English, Spanish and German users get theirs in their language, left to right', async () => {
  for (const [language, words] of [
    ['en-GB', 'We received your request about Cursor'],
    ['es', 'Hemos recibido tu solicitud sobre Cursor'],
    ['de-DE', 'wir haben deine Anfrage zu Cursor erhalten'],
  ] as const) {
    const mail = await startSessionAs(language)
    expect(mail.text).toContain(words)
    expect(mail.html).toContain(words)
    expect(mail.html).toContain('dir="ltr"')
  }
  const sent = await server.current.context.store.db
    .selectFrom('emails')
    .select(['status', 'html'])
    .where('kind', '=', 'session_started')
    .execute()
  expect(sent.every((e) => e.status === 'sent' && e.html?.startsWith('<!doctype html>'))).toBe(true)
})

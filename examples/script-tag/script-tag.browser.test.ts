import { fileURLToPath } from 'node:url'
import { createClient, memoryStorage, type SessionHandle, type SuportraClient } from '@suportra/client'
import { api, DEMO, signIn } from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { setupSites } from '../support/sites.js'

const root = fileURLToPath(new URL('.', import.meta.url))
/** A strict policy: scripts and styles only from known origins, nothing inline, no eval. */
const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self' %SUPORTRA_URL%",
  "style-src 'self'",
  "connect-src 'self' %SUPORTRA_URL% %SUPORTRA_WS%",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

const sites = setupSites({ closeAfterEach: true })
let builder: SuportraClient

beforeAll(async () => {
  builder = createClient({
    baseUrl: sites.server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
  })
  await builder.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
})
afterAll(() => builder.destroy())

const openPage = (csp?: string) => sites.open(root, { csp })

/** The builder claims the newest waiting session with this topic and keeps its transcript live. */
async function claim(topic: string): Promise<SessionHandle> {
  let waiting: string | undefined
  await expect
    .poll(
      async () => (waiting = (await builder.builder.refresh()).filter((s) => s.topic === topic).at(-1)?.id),
    )
    .toBeDefined()
  const handle = await builder.builder.claim(waiting ?? '')
  sites.defer(handle.$messages.listen(() => {}))
  return handle
}

async function waitForBuilder(handle: SessionHandle, check: (bodies: string[]) => boolean) {
  await expect
    .poll(
      () =>
        check(
          handle.$messages
            .get()
            .map((m) => `${m.body}${m.code?.content ?? ''}${m.attachments.map((a) => a.name)}`),
        ),
      {
        timeout: 10_000,
      },
    )
    .toBe(true)
}

describe('the script-tag example', () => {
  test('the user signs in, starts a session with the page context, chats, sends code and a file, ends and rates', async () => {
    const { page, problems } = await openPage()
    // Nothing is loaded, stored or connected before the user acts.
    expect(await page.evaluate(() => localStorage.length)).toBe(0)

    await page.getByRole('button', { name: 'Ask a human about this error' }).click()
    const dialog = page.getByRole('dialog', { name: 'Talk to a builder' })
    await expect.poll(() => dialog.isVisible()).toBe(true)
    await dialog.getByLabel('Email').fill(DEMO.user.email)
    await dialog.getByLabel('Password').fill(DEMO.user.password)
    await dialog.getByRole('button', { name: 'Sign in' }).click()

    // The vendor's prefill: tool, topic and the page context shown before anything is shared.
    await expect
      .poll(() => dialog.getByLabel('Describe the blocker').inputValue())
      .toContain('Hydration error')
    await expect.poll(() => dialog.getByRole('combobox', { name: 'Tool' }).inputValue()).toBe('v0')
    expect(await dialog.getByRole('group', { name: 'Shared with the builder' }).textContent()).toContain(
      'Hydration failed',
    )
    await expect.poll(() => dialog.getByText('Session cost: 1 · Your credits: 3').isVisible()).toBe(true)
    await dialog.getByRole('button', { name: 'Start session' }).click()
    await expect.poll(() => dialog.getByText('Waiting for a builder').isVisible()).toBe(true)

    const handle = await claim('Hydration error after adding a date to the page')
    expect(handle.$session.get()?.context).toMatchObject({
      file: { path: 'src/app/page.tsx', language: 'tsx' },
    })
    await handle.send('Render the date on the client only: `useEffect(() => setNow(new Date()), [])`')
    await expect
      .poll(() => dialog.getByText('Render the date on the client only').isVisible(), { timeout: 10_000 })
      .toBe(true)

    const composer = dialog.getByLabel('Write a message')
    await composer.fill('Like this?\n```tsx\nconst [now, setNow] = useState<Date>()\n```')
    await composer.press('Enter')
    await dialog.locator('input[type=file]').setInputFiles({
      name: 'page.tsx',
      mimeType: 'text/plain',
      buffer: Buffer.from('export default function Page() {}'),
    })
    await composer.fill('and the file')
    await composer.press('Enter')
    await waitForBuilder(handle, (bodies) =>
      bodies.some((b) => b.includes('const [now, setNow] = useState<Date>()')),
    )
    await waitForBuilder(handle, (bodies) => bodies.some((b) => b.includes('page.tsx')))

    await dialog.getByRole('button', { name: 'End session' }).click()
    await dialog.locator('label', { hasText: '4 of 5' }).click()
    await dialog.getByLabel('Anything to add? (optional)').fill('Fixed in five minutes')
    await dialog.getByRole('button', { name: 'Send' }).click()
    await expect.poll(() => dialog.getByText('Thank you!').isVisible()).toBe(true)

    const { accessToken } = await signIn(sites.server.url, DEMO.user.email)
    const stored = await api(sites.server.url, 'GET', `/v1/sessions/${handle.id}`, { token: accessToken })
    expect(stored.body.session).toMatchObject({
      status: 'closed',
      rating: { score: 4, comment: 'Fixed in five minutes' },
    })
    expect(problems.errors).toEqual([])
  })

  test.each([
    ['without a CSP', undefined],
    ['under a strict CSP', STRICT_CSP],
  ])('a vendor-identified user (identity token) chats %s with no CSP violations', async (_, csp) => {
    const { page, problems } = await openPage(csp)
    await page.getByRole('button', { name: 'Sign in as Linus (vendor account)' }).click()
    const dialog = page.getByRole('dialog', { name: 'Talk to a builder' })
    await expect
      .poll(() => dialog.getByRole('button', { name: 'Start session' }).isVisible(), { timeout: 10_000 })
      .toBe(true)
    const { accessToken } = await signIn(sites.server.url, DEMO.user.email)
    // Linus is a new user without credits; grant what a purchase would.
    const linus = await api(sites.server.url, 'GET', '/v1/builder/queue', { token: accessToken })
    expect(linus.status).toBe(403)
    await sites.server.current.context.store.db
      .insertInto('ledger')
      .values({
        id: `txn_${Date.now()}`,
        user_id: (
          await sites.server.current.context.store.db
            .selectFrom('users')
            .select('id')
            .where('external_id', '=', 'vendor-linus')
            .executeTakeFirstOrThrow()
        ).id,
        kind: 'grant',
        amount: 1,
        idempotency_key: `browser-test-${csp ? 'csp' : 'plain'}`,
        reference: 'test',
        created_at: Date.now(),
      })
      .execute()
    const topic = `Deploy fails ${csp ? 'under CSP' : 'plain'}`
    await dialog.getByLabel('Describe the blocker').fill(topic)
    await dialog.getByRole('button', { name: 'Start session' }).click()
    const handle = await claim(topic)
    await handle.send('Which build step fails?')
    await expect
      .poll(() => dialog.getByText('Which build step fails?').isVisible(), { timeout: 10_000 })
      .toBe(true)
    await dialog.getByLabel('Write a message').fill('The prisma generate step')
    await dialog.getByLabel('Write a message').press('Enter')
    await waitForBuilder(handle, (bodies) => bodies.includes('The prisma generate step'))
    expect(handle.$session.get()?.user.name).toBe('Linus')
    await handle.close()
    await expect.poll(() => dialog.getByText('How did it go?').first().isVisible()).toBe(true)
    expect(problems.csp).toEqual([])
    expect(problems.errors).toEqual([])
  })
})

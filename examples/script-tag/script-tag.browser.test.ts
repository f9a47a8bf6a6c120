import { fileURLToPath } from 'node:url'
import { createClient, memoryStorage, type SessionHandle, type SuportraClient } from '@suportra/client'
import { api, DEMO, grantCredits, signIdentityToken, signIn } from '@suportra/server/testing'
import type { Locator } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { STRICT_CSP } from '../support/csp.js'
import { setupSites } from '../support/sites.js'

const root = fileURLToPath(new URL('.', import.meta.url))

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

/**
 * The part of a session every signed-in user goes through, from the new-session form (signed in,
 * with `topic` filled in) to a rated session: start, the builder claims and replies, the reply shows,
 * the user sends code and a file, the builder sees both, the user ends and rates; the rating is stored.
 */
async function chatEndAndRate(dialog: Locator, topic: string, userToken: string): Promise<SessionHandle> {
  await dialog.getByRole('button', { name: 'Start session' }).click()
  await expect.poll(() => dialog.getByText('Waiting for a builder').isVisible()).toBe(true)

  const handle = await claim(topic)
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
  await dialog.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => dialog.getByText('Thank you!').isVisible()).toBe(true)

  const stored = await api(sites.server.url, 'GET', `/v1/sessions/${handle.id}`, { token: userToken })
  expect(stored.body.session).toMatchObject({
    status: 'closed',
    rating: { score: 4, comment: 'Fixed in five minutes' },
  })
  return handle
}

/** Signs in through the API with a vendor identity token, as the widget's identify() does. */
async function identify(sub: string, name: string) {
  const token = await signIdentityToken({ sub, name })
  const result = await api(sites.server.url, 'POST', '/v1/auth/identify', {
    app: DEMO.appId,
    body: { token },
  })
  expect(result.status).toBe(200)
  return result.body as { accessToken: string; user: { id: string } }
}

describe('the script-tag example', () => {
  test('the user signs in, starts a session with the page context, chats, sends code and a file, ends and rates', async () => {
    const { page, problems } = await openPage()

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

    const { accessToken } = await signIn(sites.server.url, DEMO.user.email)
    const handle = await chatEndAndRate(
      dialog,
      'Hydration error after adding a date to the page',
      accessToken,
    )
    expect(handle.$session.get()?.context).toMatchObject({
      file: { path: 'src/app/page.tsx', language: 'tsx' },
    })

    // Back on the page later (signed in from storage): the past session and its transcript load.
    await page.reload()
    await page.evaluate(() => (window as unknown as { Suportra(...args: unknown[]): void }).Suportra('open'))
    const again = page.getByRole('dialog', { name: 'Talk to a builder' })
    await again.getByRole('button', { name: 'Past sessions' }).click()
    await again.getByRole('button', { name: /Hydration error after adding a date/ }).click()
    await expect
      .poll(() => again.getByText('Render the date on the client only').isVisible(), { timeout: 10_000 })
      .toBe(true)
    expect(problems.errors).toEqual([])
  })

  test.each([
    ['without a CSP', undefined],
    ['under a strict CSP', STRICT_CSP],
  ])(
    'a vendor-identified user (identity token) does the same whole session %s with no CSP violations',
    async (_, csp) => {
      // Linus is the vendor's user, new to Suportra: identifying makes the account; grant what a purchase would.
      const linus = await identify('vendor-linus', 'Linus')
      await grantCredits(sites.server, linus.user.id, 1)

      const { page, problems } = await openPage(csp)
      await page.getByRole('button', { name: 'Sign in as Linus (vendor account)' }).click()
      const dialog = page.getByRole('dialog', { name: 'Talk to a builder' })
      // No password: the token signed him in, and the new-session form is first.
      await expect
        .poll(() => dialog.getByRole('button', { name: 'Start session' }).isVisible(), { timeout: 10_000 })
        .toBe(true)
      expect(await dialog.getByLabel('Password').count()).toBe(0)
      const topic = `Deploy fails ${csp ? 'under CSP' : 'plain'}`
      await dialog.getByLabel('Describe the blocker').fill(topic)

      const handle = await chatEndAndRate(dialog, topic, linus.accessToken)
      expect(handle.$session.get()?.user.name).toBe('Linus')

      // Another of the vendor's users, identified the same way, cannot see Linus's session.
      const mallory = await identify('vendor-mallory', 'Mallory')
      const foreign = await api(sites.server.url, 'GET', `/v1/sessions/${handle.id}`, {
        token: mallory.accessToken,
      })
      expect(foreign.status).toBe(404)
      const theirs = await api(sites.server.url, 'GET', '/v1/sessions', { token: mallory.accessToken })
      expect(theirs.status).toBe(200)
      expect(JSON.stringify(theirs.body)).not.toContain(handle.id)
      expect(problems.csp).toEqual([])
      expect(problems.errors).toEqual([])
    },
  )
})

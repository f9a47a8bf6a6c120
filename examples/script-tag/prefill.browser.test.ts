// The demo page's "Ask a human about this error" (Suportra('open', { tool, topic, context })) always
// reaches the user: it fills the new-session form even when the panel is already open, and during a
// session it is offered (add it to the session, or end the session and start anew), never dropped.
import { fileURLToPath } from 'node:url'
import { createClient, memoryStorage, type SuportraClient } from '@suportra/client'
import { api, DEMO, grantCredits, signIdentityToken } from '@suportra/server/testing'
import type { Locator } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'
import { setupSites } from '../support/sites.js'

const root = fileURLToPath(new URL('.', import.meta.url))
const TOPIC = 'Hydration error after adding a date to the page'

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

/** A vendor user with credits, signed in as the page's backend would (an identity token). */
async function vendorUser(sub: string, name: string) {
  const token = await signIdentityToken({ sub, name })
  const { body } = await api(sites.server.url, 'POST', '/v1/auth/identify', {
    app: DEMO.appId,
    body: { token },
  })
  await grantCredits(sites.server, body.user.id, 3)
  return { token, accessToken: body.accessToken as string }
}

const topicField = (dialog: Locator) => dialog.getByLabel('Describe the blocker')
const toolField = (dialog: Locator) => dialog.getByRole('combobox', { name: 'Tool' })

test('"Sign in as Linus", then "Ask a human about this error": the open form gets the topic, the tool and the context', async () => {
  const linus = await vendorUser('vendor-linus', 'Linus')
  const { page, problems } = await sites.open(root)
  const dialog = page.getByRole('dialog', { name: 'Talk to a builder' })

  await page.getByRole('button', { name: 'Sign in as Linus (vendor account)' }).click()
  await dialog.getByRole('button', { name: 'Start session' }).waitFor()
  await expect.poll(() => toolField(dialog).inputValue()).toBe('cursor') // the first tool: nothing prefilled yet

  // The panel is open on the form: the vendor's button fills it in.
  await page.getByRole('button', { name: 'Ask a human about this error' }).click()
  await expect.poll(() => topicField(dialog).inputValue()).toBe(TOPIC)
  await expect.poll(() => toolField(dialog).inputValue()).toBe('v0')
  await expect
    .poll(() => dialog.getByRole('group', { name: 'Shared with the builder' }).textContent())
    .toContain('Hydration failed')

  await dialog.getByRole('button', { name: 'Start session' }).click()
  await dialog.getByText('Waiting for a builder').waitFor()
  const { body } = await api(sites.server.url, 'GET', '/v1/sessions', { token: linus.accessToken })
  expect(body.sessions[0]).toMatchObject({
    tool: 'v0',
    topic: TOPIC,
    context: { file: { path: 'src/app/page.tsx' } },
  })
  expect(problems.errors).toEqual([])
})

test('open({ topic, context }) during a session: the user sees the session going and adds the new context to it, or ends it and starts anew', async () => {
  const ada = await vendorUser('vendor-ada', 'Ada')
  const { page, problems } = await sites.open(root)
  const dialog = page.getByRole('dialog', { name: 'Talk to a builder' })
  await page.evaluate(
    (token) => (window as unknown as { Suportra(...args: unknown[]): void }).Suportra('identify', { token }),
    ada.token,
  )

  // A session going, with the builder in it.
  await page.getByRole('button', { name: 'Ask a human about this error' }).click()
  await expect.poll(() => topicField(dialog).inputValue()).toBe(TOPIC)
  await dialog.getByRole('button', { name: 'Start session' }).click()
  await dialog.getByText('Waiting for a builder').waitFor()
  let id = ''
  await expect
    .poll(async () => (id = (await builder.builder.refresh()).find((s) => s.user.name === 'Ada')?.id ?? ''))
    .not.toBe('')
  const handle = await builder.builder.claim(id)
  sites.defer(handle.$messages.listen(() => {}))
  await dialog.getByText('Grace Hopper joined').waitFor()

  // The vendor's button again, while the session goes on: the user sees it, with what would be added.
  await page.getByRole('button', { name: 'Ask a human about this error' }).click()
  const choice = dialog.getByRole('heading', { name: 'You have a session going' })
  await choice.waitFor()
  expect(await dialog.textContent()).toContain(`Your session “${TOPIC}” is still open.`)
  expect(await dialog.getByRole('group', { name: 'Shared with the builder' }).textContent()).toContain(
    'Hydration failed',
  )
  await dialog.getByRole('button', { name: 'Add to this session' }).click()

  // Back in the chat; the builder has the topic and the context as JSON.
  await dialog.getByRole('log').waitFor()
  await expect
    .poll(() => handle.$messages.get().find((m) => m.author === 'user' && m.code?.language === 'json'))
    .toMatchObject({ body: TOPIC, seq: expect.any(Number) })
  const added = handle.$messages.get().find((m) => m.author === 'user' && m.code?.language === 'json')
  expect(JSON.parse(added?.code?.content ?? '{}')).toMatchObject({
    error: { message: expect.stringContaining('Hydration failed') },
    file: { path: 'src/app/page.tsx' },
  })

  // Once more, and this time the user ends the session to start a new one: the form has the prefill.
  await page.getByRole('button', { name: 'Ask a human about this error' }).click()
  await choice.waitFor()
  await dialog.getByRole('button', { name: 'End it and start a new one' }).click()
  await dialog.getByRole('button', { name: 'Start session' }).waitFor()
  await expect.poll(() => topicField(dialog).inputValue()).toBe(TOPIC)
  await expect.poll(() => toolField(dialog).inputValue()).toBe('v0')
  const stored = await api(sites.server.url, 'GET', `/v1/sessions/${id}`, { token: ada.accessToken })
  expect(stored.body.session.status).toBe('closed')
  expect(problems.errors).toEqual([])
})

// Whether anyone is there, before the user spends anything: with no builder available the start
// screen says so (and that the question may be left anyway), and it changes live when the builder
// switches to available in the console. And when the builder answers a user who left, the away email
// reaches the local outbox, and its link opens the page with the chat on that session.
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient, memoryStorage } from '@suportra/client'
import { createUser, DEMO } from '@suportra/server/testing'
import type { Locator, Page } from 'playwright-core'
import { expect, test } from 'vitest'
import WebSocket from 'ws'
import { setupSites } from '../support/sites.js'

const root = fileURLToPath(new URL('.', import.meta.url))
const consoleRoot = fileURLToPath(new URL('../builder-console/dist/', import.meta.url))
const sites = setupSites({ closeAfterEach: true, server: { awayEmailMs: 1_500, presenceRefreshMs: 300 } })
const shots = join(tmpdir(), 'suportra-availability-shots')
mkdirSync(shots, { recursive: true })

async function signInWidget(page: Page, email: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Ask a human', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Talk to a builder' })
  await dialog.getByLabel('Email').fill(email)
  await dialog.getByLabel('Password').fill(DEMO.user.password)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await dialog.getByLabel('Describe the blocker').waitFor()
  return dialog
}

/** The note is drawn where it says it is: on screen, inside the panel, not covered. */
async function visible(page: Page, note: Locator) {
  const box = await note.boundingBox()
  expect(box && box.width > 0 && box.height > 0).toBe(true)
  const size = page.viewportSize() ?? { width: 0, height: 0 }
  expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= size.width).toBe(true)
  const hit = await note.evaluate((el) => {
    const r = el.getBoundingClientRect()
    const root = el.getRootNode() as ShadowRoot
    const at = root.elementFromPoint(r.x + 4, r.y + r.height / 2)
    return at === el || el.contains(at)
  })
  expect(hit).toBe(true)
}

for (const viewport of [
  { width: 1366, height: 768 },
  { width: 375, height: 667 },
]) {
  test(`${viewport.width}x${viewport.height}: no builder available, then live when the builder switches to available`, async () => {
    // The builder is in the console, switched to away.
    const builder = await sites.open(consoleRoot)
    await builder.page.getByLabel('Email').fill(DEMO.builder.email)
    await builder.page.getByLabel('Password').fill(DEMO.builder.password)
    await builder.page.getByRole('button', { name: 'Sign in' }).click()
    const toggle = builder.page.getByRole('switch')
    await expect.poll(() => toggle.textContent()).toBe('Available')
    await toggle.click()
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false')
    expect(await toggle.textContent()).toBe('Away')

    const person = await createUser(sites.server, { name: 'Waiting Person', credits: 1 })
    const site = await sites.open(root, {
      beforeLoad: (page) => page.setViewportSize(viewport),
    })
    const dialog = await signInWidget(site.page, person.user.email ?? '')
    const note = dialog.getByRole('status').filter({ hasText: 'No builder is available right now.' })
    await note.waitFor()
    expect(await note.textContent()).toContain('You can still leave your question: it waits in the queue')
    await visible(site.page, note)
    // Leaving it anyway is right there, and costs nothing until a builder joins.
    expect(await dialog.getByRole('button', { name: 'Start session' }).isEnabled()).toBe(true)
    await site.page.screenshot({ path: join(shots, `offline-${viewport.width}.png`) })

    // No reload, no click in the widget: the console's switch changes what the start screen says.
    await toggle.click()
    await expect.poll(() => toggle.textContent()).toBe('Available')
    const online = dialog.getByRole('status').filter({ hasText: 'Builders are online.' })
    await online.waitFor()
    await visible(site.page, online)
    await site.page.screenshot({ path: join(shots, `online-${viewport.width}.png`) })
    expect(site.problems.errors).toEqual([])
    expect(builder.problems.errors).toEqual([])
  })
}

test('the away email reaches the outbox when the builder answers a user who left; its link opens the chat', async () => {
  const person = await createUser(sites.server, { name: 'Leaving Person', credits: 1 })
  const site = await sites.open(root)
  const dialog = await signInWidget(site.page, person.user.email ?? '')
  await dialog.getByLabel('Describe the blocker').fill('Vercel deploy hangs at build')
  await dialog.getByRole('button', { name: 'Start session' }).click()
  await dialog.getByText('Waiting for a builder').waitFor()
  // The user leaves: the tab closes (their sign-in stays in the browser's storage).
  const { context } = site
  await site.page.close()

  const builder = createClient({
    baseUrl: sites.server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
  })
  sites.defer(() => builder.destroy())
  await builder.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
  const waiting = (await builder.builder.refresh()).find((s) => s.topic === 'Vercel deploy hangs at build')
  const handle = await builder.builder.claim(waiting?.id ?? '')
  await handle.send('Your build step waits for input: add --yes to the install command.')

  // The email is in the local outbox (the development mailbox page lists it).
  const db = sites.server.current.context.store.db
  const email = async () =>
    db
      .selectFrom('emails')
      .selectAll()
      .where('to_address', '=', person.user.email ?? '')
      .where('kind', '=', 'builder_replied')
      .executeTakeFirst()
  await expect.poll(email, { timeout: 20_000, interval: 200 }).toBeTruthy()
  const mail = await email()
  const mailbox = await fetch(`${sites.server.url}/dev/mail`)
  expect(await mailbox.text()).toContain('Grace Hopper answered your Suportra question')
  const link = /http:\/\/\S+#suportra-session=[\w-]+/.exec(mail?.body ?? '')?.[0] ?? ''
  expect(link).toContain(`#suportra-session=${handle.id}`)
  expect(new URL(link).origin).toBe(site.url.replace(/\/$/, ''))

  // The link opens the page with the chat open on that session, the builder's answer in it.
  const back = await context.newPage()
  await back.goto(link)
  const chat = back.getByRole('dialog', { name: 'Talk to a builder' })
  await chat.getByText('add --yes to the install command').waitFor()
  await chat.getByRole('button', { name: 'End session' }).waitFor()
  await back.screenshot({ path: join(shots, 'away-link-1280.png') })
})

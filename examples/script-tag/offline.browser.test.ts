// A reload while the Suportra server cannot be reached: the widget shows the ongoing chat from
// storage, with its unsent message and the connection banner, and sends the message once when the
// server is back.
import { fileURLToPath } from 'node:url'
import { createClient, memoryStorage } from '@suportra/client'
import { allMessages, createUser, DEMO } from '@suportra/server/testing'
import { expect, test } from 'vitest'
import WebSocket from 'ws'
import { setupSites } from '../support/sites.js'

const root = fileURLToPath(new URL('.', import.meta.url))
const sites = setupSites()

test('reload while the server is unreachable shows the ongoing chat and its pending message; it is delivered once when the server is back', async () => {
  const person = await createUser(sites.server, { name: 'Reload Rita', credits: 2 })
  let unreachable = false
  const site = await sites.open(root, {
    beforeLoad: async (page) => {
      // The API refuses every request and socket while "unreachable"; the page and widget files still load.
      await page
        .context()
        .route(`${sites.server.url}/v1/**`, (route) =>
          unreachable ? route.abort('connectionrefused') : route.continue(),
        )
      await page
        .context()
        .routeWebSocket(/\/v1\/realtime/, (ws) => (unreachable ? ws.close() : ws.connectToServer()))
    },
  })
  const { page } = site
  const dialog = page.getByRole('dialog', { name: 'Talk to a builder' })
  await page.getByRole('button', { name: 'Ask a human', exact: true }).click()
  await dialog.getByLabel('Email').fill(person.user.email ?? '')
  await dialog.getByLabel('Password').fill(DEMO.user.password)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await dialog.getByLabel('Describe the blocker').fill('Supabase auth loops after deploy')
  await dialog.getByRole('button', { name: 'Start session' }).click()
  await dialog.getByText('Waiting for a builder').waitFor()

  const builder = createClient({
    baseUrl: sites.server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
  })
  sites.defer(() => builder.destroy())
  await builder.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
  const id = (await builder.builder.refresh()).find((s) => s.topic === 'Supabase auth loops after deploy')?.id
  const theirs = await builder.builder.claim(id ?? '')
  sites.defer(theirs.$messages.listen(() => {}))
  await dialog.getByRole('button', { name: 'End session' }).waitFor()

  // The server goes away; the user writes, and reloads the page.
  unreachable = true
  const composer = dialog.getByLabel('Write a message')
  await composer.fill('Redirect URL is https://example.app/callback')
  await composer.press('Enter')
  await dialog.getByText('Sending…').waitFor()
  await page.reload()
  await page.getByRole('button', { name: 'Ask a human', exact: true }).click()

  // The ongoing chat, not the new-session form: its topic, the message still sending, the banner.
  await dialog.getByText('Supabase auth loops after deploy').waitFor()
  const pending = dialog.locator('li.message', { hasText: 'Redirect URL is https://example.app/callback' })
  await expect.poll(() => pending.isVisible()).toBe(true)
  expect(await pending.textContent()).toContain('Sending…')
  await expect
    .poll(() => dialog.getByRole('status').filter({ hasText: 'Reconnecting…' }).isVisible())
    .toBe(true)
  expect(await dialog.getByRole('button', { name: 'Start session' }).count()).toBe(0)
  // Seen, not just present: the pending message is on screen at its place.
  const box = await pending.boundingBox()
  expect(box).not.toBeNull()
  const hit = await page.evaluate(
    ([x, y]) => {
      const root = document.querySelector('suportra-widget')?.shadowRoot
      return root?.elementFromPoint(x as number, y as number)?.closest('li')?.textContent ?? ''
    },
    [(box?.x ?? 0) + (box?.width ?? 0) / 2, (box?.y ?? 0) + (box?.height ?? 0) / 2],
  )
  expect(hit).toContain('Redirect URL is https://example.app/callback')

  // Back: delivered once, shown as sent, the banner gone.
  unreachable = false
  await expect
    .poll(() => theirs.$messages.get().filter((m) => m.body.startsWith('Redirect URL is')).length, {
      timeout: 30_000,
    })
    .toBe(1)
  await expect.poll(() => pending.textContent(), { timeout: 30_000 }).not.toContain('Sending…')
  await expect.poll(() => dialog.getByText('Reconnecting…').count()).toBe(0)
  const stored = await allMessages(sites.server.url, person.accessToken, theirs.id)
  expect(stored.filter((m) => m.body.startsWith('Redirect URL is'))).toHaveLength(1)
  expect(await dialog.locator('li.message', { hasText: 'Redirect URL is' }).count()).toBe(1)
}, 90_000)

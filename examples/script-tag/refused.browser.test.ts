// A message refused before a reload stays in the transcript as not sent. After the reload the widget
// has sent nothing (a send's secret check loads the catalogue's later part, where the reasons are), so
// the message loads that part itself: it still says why, in words.
import { fileURLToPath } from 'node:url'
import { createClient, memoryStorage } from '@suportra/client'
import { createUser, DEMO } from '@suportra/server/testing'
import { expect, test } from 'vitest'
import WebSocket from 'ws'
import { setupSites } from '../support/sites.js'

const root = fileURLToPath(new URL('.', import.meta.url))
const sites = setupSites()

test('a message refused before a reload still says why after it, on a desktop and on a phone', async () => {
  const person = await createUser(sites.server, { name: 'Refused Rosa', credits: 2 })
  const site = await sites.open(root)
  const { page } = site
  const dialog = page.getByRole('dialog', { name: 'Talk to a builder' })
  await page.getByRole('button', { name: 'Ask a human', exact: true }).click()
  await dialog.getByLabel('Email').fill(person.user.email ?? '')
  await dialog.getByLabel('Password').fill(DEMO.user.password)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await dialog.getByLabel('Describe the blocker').fill('Vercel build fails on Node 22')
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
  const id = (await builder.builder.refresh()).find((s) => s.topic === 'Vercel build fails on Node 22')?.id
  const theirs = await builder.builder.claim(id ?? '')
  sites.defer(theirs.$messages.listen(() => {}))
  await dialog.getByRole('button', { name: 'End session' }).waitFor()

  // A message longer than the 20,000 characters the server takes is refused; the user reloads the page.
  const composer = dialog.getByLabel('Write a message')
  await composer.fill('x'.repeat(20_001))
  await composer.press('Enter')
  const refused = dialog.locator('li.message', { hasText: 'xxxx' })
  await refused.getByRole('alert').waitFor()
  await page.reload()
  await page.getByRole('button', { name: 'Ask a human', exact: true }).click()
  await expect
    .poll(() => refused.getByRole('alert').textContent(), { timeout: 30_000 })
    .toMatch(/^Not sent: Messages can be at most 20,000 characters\./)
  for (const [width, height] of [
    [1366, 768],
    [375, 667],
  ] as const) {
    await page.setViewportSize({ width, height })
    const box = await refused.getByRole('alert').boundingBox()
    expect(box?.width).toBeGreaterThan(0)
    if (process.env.HARDENING_SHOTS)
      await page.screenshot({ path: `${process.env.HARDENING_SHOTS}/refused-${width}x${height}.png` })
  }
}, 90_000)

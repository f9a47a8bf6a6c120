// The waiting user's place in the queue, live: two users wait in the widget; when the first is
// claimed, the second's banner goes from #2 to #1 without a reload.
import { fileURLToPath } from 'node:url'
import { createClient, memoryStorage } from '@suportra/client'
import { createUser, DEMO } from '@suportra/server/testing'
import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import WebSocket from 'ws'
import { setupSites } from '../support/sites.js'

const root = fileURLToPath(new URL('.', import.meta.url))
const sites = setupSites()

/** A new user signs in through the widget and starts a session; resolves with the open dialog. */
async function waitInWidget(page: Page, name: string, topic: string) {
  const person = await createUser(sites.server, { name, credits: 1 })
  await page.getByRole('button', { name: 'Ask a human', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Talk to a builder' })
  await dialog.getByLabel('Email').fill(person.user.email ?? '')
  await dialog.getByLabel('Password').fill(DEMO.user.password)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await dialog.getByLabel('Describe the blocker').fill(topic)
  await dialog.getByRole('button', { name: 'Start session' }).click()
  await dialog.getByText('Waiting for a builder').waitFor()
  return dialog
}

test('two users waiting: the second sees #2, then #1 when the first is claimed', async () => {
  const first = await sites.open(root)
  const second = await sites.open(root)
  const ahead = await waitInWidget(first.page, 'Ahead Person', 'Netlify build fails on the first user')
  const behind = await waitInWidget(second.page, 'Behind Person', 'Cursor rules are ignored')
  const banner = behind.getByRole('status').filter({ hasText: 'Waiting for a builder' })
  await expect.poll(() => banner.textContent()).toContain('You are #2 in the queue')
  expect(await ahead.getByRole('status').filter({ hasText: 'Waiting' }).textContent()).toContain('#1')

  const builder = createClient({
    baseUrl: sites.server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
  })
  sites.defer(() => builder.destroy())
  await builder.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
  const queue = await builder.builder.refresh()
  const firstId = queue.find((s) => s.topic === 'Netlify build fails on the first user')?.id ?? ''
  await builder.builder.claim(firstId)

  // No reload, no click: the banner moves on its own and still shows the expected wait.
  await expect.poll(() => banner.textContent()).toContain('You are #1 in the queue')
  expect(await banner.textContent()).toMatch(/within \d+ min/)
  const box = await banner.boundingBox()
  expect(box && box.height > 0 && box.width > 0).toBe(true)
  // The first user's widget went on to the chat.
  await ahead.getByRole('button', { name: 'End session' }).waitFor()
  expect(second.problems.errors).toEqual([])
  expect(first.problems.errors).toEqual([])
})

import { fileURLToPath } from 'node:url'
import { api, DEMO, signIn } from '@suportra/server/testing'
import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { setupSites } from '../support/sites.js'

const dist = (app: string) => fileURLToPath(new URL(`../${app}/dist/`, import.meta.url))

const sites = setupSites()
/** Opens a built example on its own origin in a fresh browser context (its own storage). */
const open = (app: string) => sites.open(dist(app))

async function signInAs(page: Page, email: string) {
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(DEMO.user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

test('a user in the React app and a builder in the builder console complete a whole session', async () => {
  const user = await open('react-app')
  const builder = await open('builder-console')
  await signInAs(user.page, DEMO.user.email)
  await signInAs(builder.page, DEMO.builder.email)

  // The user starts a session from the custom UI.
  await user.page.getByLabel('Tool').selectOption('replit')
  await user.page.getByLabel('Blocker').fill('Replit deploy says port 3000 is not open')
  await user.page.getByRole('button', { name: 'Start a session' }).click()
  await expect.poll(() => user.page.getByText('Waiting for a builder').isVisible()).toBe(true)

  // It shows up in the builder's live queue, with the tool; the builder claims it.
  const queue = builder.page.getByRole('region', { name: 'Queue' })
  await expect.poll(() => queue.getByText('Replit deploy says port 3000 is not open').isVisible()).toBe(true)
  expect(await queue.textContent()).toContain('replit')
  await queue.getByRole('button', { name: 'Claim: Replit deploy says port 3000 is not open' }).click()
  const pane = builder.page.getByRole('article', { name: 'Chat: Replit deploy says port 3000 is not open' })
  await expect.poll(() => pane.isVisible()).toBe(true)
  await expect.poll(() => user.page.getByText('Talking with Grace Hopper').isVisible()).toBe(true)

  // Messages both ways, including a code block, and the unread count on the builder's side.
  await user.page.getByLabel('Message', { exact: true }).fill('It worked locally')
  await user.page.getByRole('button', { name: 'Send' }).click()
  await expect.poll(() => pane.getByText('It worked locally').isVisible()).toBe(true)
  await expect.poll(() => pane.getByText('1 unread').isVisible()).toBe(true)
  await pane.getByLabel('Reply').fill('Bind to 0.0.0.0:\n```js\napp.listen(3000, "0.0.0.0")\n```')
  await pane.getByRole('button', { name: 'Send' }).click()
  await expect.poll(() => pane.getByText('1 unread').isVisible()).toBe(false)
  await expect.poll(() => user.page.getByText('app.listen(3000, "0.0.0.0")').isVisible()).toBe(true)
  expect(await user.page.locator('pre code').first().textContent()).toBe('app.listen(3000, "0.0.0.0")')

  // The builder closes; the user rates.
  await pane.getByRole('button', { name: 'Close' }).click()
  await expect.poll(() => pane.isVisible()).toBe(false)
  await user.page.getByRole('button', { name: '5 ★' }).click()
  await expect.poll(() => user.page.getByText('Thanks for rating!').isVisible()).toBe(true)

  const { accessToken } = await signIn(sites.server.url, DEMO.user.email)
  const { body } = await api(sites.server.url, 'GET', '/v1/sessions', { token: accessToken })
  const stored = body.sessions.find(
    (s: { topic: string }) => s.topic === 'Replit deploy says port 3000 is not open',
  )
  expect(stored).toMatchObject({
    status: 'closed',
    tool: 'replit',
    rating: { score: 5 },
    builder: { name: 'Grace Hopper' },
  })
  expect(user.problems.errors).toEqual([])
  expect(builder.problems.errors).toEqual([])
})

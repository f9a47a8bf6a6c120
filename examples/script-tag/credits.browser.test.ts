import { fileURLToPath } from 'node:url'
import { api, DEMO, signIn, startTestServer, type TestServer } from '@suportra/server/testing'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startHostServer } from '../host-server.mjs'
import { launchBrowser, watchProblems } from '../support/browser.js'

const root = fileURLToPath(new URL('.', import.meta.url))
let server: TestServer
let browser: Browser
const closers: (() => unknown)[] = []

beforeAll(async () => {
  server = await startTestServer()
  browser = await launchBrowser()
})
afterAll(async () => {
  for (const close of closers.reverse()) await close()
  await browser.close()
  await server.close()
})

/** Spends Ada's three demo credits: three sessions, each claimed by the builder (the holds are captured). */
async function spendEverything() {
  const ada = await signIn(server.url, DEMO.user.email)
  const grace = await signIn(server.url, DEMO.builder.email)
  for (let i = 0; i < 3; i++) {
    const { body } = await api(server.url, 'POST', '/v1/sessions', {
      token: ada.accessToken,
      body: { tool: 'bolt', topic: `Spent ${i}` },
    })
    await api(server.url, 'POST', `/v1/builder/sessions/${body.session.id}/claim`, {
      token: grace.accessToken,
    })
    await api(server.url, 'POST', `/v1/sessions/${body.session.id}/close`, { token: grace.accessToken })
  }
  expect((await api(server.url, 'GET', '/v1/credits', { token: ada.accessToken })).body.balance).toBe(0)
  return ada
}

const dialogOf = (page: Page) => page.getByRole('dialog', { name: 'Talk to a builder' })

test('out of credits, the user buys a pack in the test checkout; both tabs see the balance change live, then a session starts', async () => {
  const ada = await spendEverything()
  const host = await startHostServer({ root, apiUrl: server.url })
  const context = await browser.newContext()
  context.setDefaultTimeout(10_000)
  closers.push(
    () => host.close(),
    () => context.close(),
  )

  const first = await context.newPage()
  const problems = await watchProblems(first)
  await first.goto(host.url)
  await first.getByRole('button', { name: 'Ask a human', exact: true }).click()
  const dialog = dialogOf(first)
  await dialog.getByLabel('Email').fill(DEMO.user.email)
  await dialog.getByLabel('Password').fill(DEMO.user.password)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await expect
    .poll(() => dialog.getByText('Not enough credits: the session costs 1, your balance is 0.').isVisible())
    .toBe(true)
  await expect.poll(() => dialog.getByText('You are running low on credits.').isVisible()).toBe(true)

  // A second tab of the same site shares the sign-in and shows the same warning.
  const second = await context.newPage()
  await second.goto(host.url)
  await second.getByRole('button', { name: 'Ask a human', exact: true }).click()
  const other = dialogOf(second)
  await expect.poll(() => other.getByText('You are running low on credits.').isVisible()).toBe(true)

  // Buy: the checkout opens in a new tab; paying there sends a signed webhook to the server.
  await dialog.getByRole('button', { name: 'Buy credits' }).first().click()
  const checkoutOpened = context.waitForEvent('page')
  await dialog.getByRole('button', { name: /3 conversations/ }).click()
  const checkout = await checkoutOpened
  await checkout.waitForURL(/\/dev\/checkout\//)
  expect(await checkout.textContent('body')).toContain('Test mode: no card is charged')
  await checkout.getByRole('button', { name: /^Pay/ }).click()
  await checkout.waitForURL(`${host.url}/`)

  // No reload: both tabs show the new balance, and the warning is gone.
  await expect.poll(() => dialog.getByRole('button', { name: 'Credits: 3' }).isVisible()).toBe(true)
  await expect.poll(() => other.getByRole('button', { name: 'Credits: 3' }).isVisible()).toBe(true)
  expect(await other.getByText('You are running low on credits.').isVisible()).toBe(false)
  await expect.poll(() => dialog.getByText('Purchase').first().isVisible()).toBe(true)

  // Spend down to the threshold: the low-balance warning comes back in both tabs.
  await dialog.getByRole('button', { name: 'Back' }).click()
  await dialog.getByLabel('Describe the blocker').fill('Netlify build fails on Node 22')
  await dialog.getByRole('button', { name: 'Start session' }).click()
  await expect.poll(() => dialog.getByText('Waiting for a builder').isVisible()).toBe(true)
  await api(server.url, 'POST', '/v1/sessions', {
    token: ada.accessToken,
    body: { tool: 'v0', topic: 'Second one' },
  })
  await expect.poll(() => other.getByText('You are running low on credits.').isVisible()).toBe(true)
  await expect.poll(() => dialog.getByText('You are running low on credits.').isVisible()).toBe(true)

  const { body } = await api(server.url, 'GET', '/v1/credits/transactions', { token: ada.accessToken })
  expect(body.transactions.filter((t: { kind: string }) => t.kind === 'purchase')).toHaveLength(1)
  expect(problems.errors).toEqual([])
})

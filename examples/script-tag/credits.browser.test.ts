import { fileURLToPath } from 'node:url'
import { api, DEMO, signIn } from '@suportra/server/testing'
import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { setupSites } from '../support/sites.js'

const root = fileURLToPath(new URL('.', import.meta.url))
const sites = setupSites()

/** Spends Ada's three demo credits: three sessions, each claimed by the builder (the holds are captured). */
async function spendEverything() {
  const ada = await signIn(sites.server.url, DEMO.user.email)
  const grace = await signIn(sites.server.url, DEMO.builder.email)
  for (let i = 0; i < 3; i++) {
    const { body } = await api(sites.server.url, 'POST', '/v1/sessions', {
      token: ada.accessToken,
      body: { tool: 'bolt', topic: `Spent ${i}` },
    })
    await api(sites.server.url, 'POST', `/v1/builder/sessions/${body.session.id}/claim`, {
      token: grace.accessToken,
    })
    await api(sites.server.url, 'POST', `/v1/sessions/${body.session.id}/close`, { token: grace.accessToken })
  }
  expect((await api(sites.server.url, 'GET', '/v1/credits', { token: ada.accessToken })).body.balance).toBe(0)
  return ada
}

const dialogOf = (page: Page) => page.getByRole('dialog', { name: 'Talk to a builder' })

test('out of credits (Start disabled, saying why), the user buys a pack in the test checkout; both tabs see the balance change live, then a session starts', async () => {
  const ada = await spendEverything()
  const { page: first, context, problems, url } = await sites.open(root)
  await first.getByRole('button', { name: 'Ask a human', exact: true }).click()
  const dialog = dialogOf(first)
  await dialog.getByLabel('Email').fill(DEMO.user.email)
  await dialog.getByLabel('Password').fill(DEMO.user.password)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  const notEnough = 'Not enough credits: the session costs 1, your balance is 0.'
  await expect.poll(() => dialog.getByText(notEnough).isVisible()).toBe(true)
  // Out, not "running low": Start says why it is disabled, and "Buy credits" is offered once.
  expect(await dialog.getByRole('button', { name: 'Start session' }).isDisabled()).toBe(true)
  expect(await dialog.getByText('You are running low on credits.').count()).toBe(0)
  expect(await dialog.getByRole('button', { name: 'Buy credits' }).count()).toBe(1)

  // A second tab of the same site shares the sign-in and says the same.
  const second = await context.newPage()
  await second.goto(url)
  await second.getByRole('button', { name: 'Ask a human', exact: true }).click()
  const other = dialogOf(second)
  await expect.poll(() => other.getByText(notEnough).isVisible()).toBe(true)

  // Buy: the checkout opens in a new tab; paying there sends a signed webhook to the server.
  await dialog.getByRole('button', { name: 'Buy credits' }).click()
  const checkoutOpened = context.waitForEvent('page')
  await dialog.getByRole('button', { name: /3 conversations/ }).click()
  const checkout = await checkoutOpened
  await checkout.waitForURL(/\/dev\/checkout\//)
  expect(await checkout.textContent('body')).toContain('Test mode: no card is charged')
  await checkout.getByRole('button', { name: /^Pay/ }).click()
  await checkout.waitForURL(`${url}/`)

  // No reload: both tabs show the new balance, and the warning is gone.
  await expect.poll(() => dialog.getByRole('button', { name: 'Credits: 3' }).isVisible()).toBe(true)
  await expect.poll(() => other.getByRole('button', { name: 'Credits: 3' }).isVisible()).toBe(true)
  expect(await other.getByText(notEnough).isVisible()).toBe(false)
  await expect.poll(() => dialog.getByText('Purchase').first().isVisible()).toBe(true)
  // Paid: nothing asks to finish paying any more.
  await expect.poll(() => dialog.getByText(/Finish paying in the new tab/).count()).toBe(0)

  // Spend down to the threshold: the low-balance warning comes back in both tabs (on their credits
  // screens: over a chat it stays out of the transcript's way, the balance shows in the header).
  await dialog.getByRole('button', { name: 'Back' }).click()
  await dialog.getByLabel('Describe the blocker').fill('Netlify build fails on Node 22')
  await dialog.getByRole('button', { name: 'Start session' }).click()
  await expect.poll(() => dialog.getByText('Waiting for a builder').isVisible()).toBe(true)
  await api(sites.server.url, 'POST', '/v1/sessions', {
    token: ada.accessToken,
    body: { tool: 'v0', topic: 'Second one' },
  })
  for (const tab of [dialog, other]) {
    await expect.poll(() => tab.getByRole('button', { name: 'Credits: 1' }).isVisible()).toBe(true)
    await tab.getByRole('button', { name: 'Credits: 1' }).click()
    await expect.poll(() => tab.getByText('You are running low on credits.').isVisible()).toBe(true)
  }

  const { body } = await api(sites.server.url, 'GET', '/v1/credits/transactions', { token: ada.accessToken })
  expect(body.transactions.filter((t: { kind: string }) => t.kind === 'purchase')).toHaveLength(1)
  expect(problems.errors).toEqual([])
})

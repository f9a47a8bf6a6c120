import { fileURLToPath } from 'node:url'
import { api, DEMO, signIn } from '@suportra/server/testing'
import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { shotPath } from '../screenshots/shot-path.js'
import { setupSites } from '../support/sites.js'

// A builder's fix flows back into the user's tool: the builder sends a patch from the console, the
// vendor page's `Suportra('on', 'patch', …)` handler gets it from "Apply in <tool>", and the builder
// reads "Patch applied".

const dist = (app: string) => fileURLToPath(new URL(`../${app}/dist/`, import.meta.url))
const scriptTag = fileURLToPath(new URL('../script-tag/', import.meta.url))
const sites = setupSites()

const TOPIC = 'Hydration error after adding a date to the page'
const DIFF = [
  '--- a/src/app/page.tsx',
  '+++ b/src/app/page.tsx',
  '@@ -1,3 +1,5 @@',
  '+"use client"',
  '+',
  ' export default function Page() {',
  '-  return <p>Today is {new Date().toLocaleString()}</p>',
  '+  return <p suppressHydrationWarning>Today is {new Date().toLocaleString()}</p>',
  ' }',
  '',
].join('\n')

/** True when the middle of `selector`'s first match is on screen and is what a tap there would hit. */
const reachable = (page: Page, selector: string) =>
  page.evaluate((selector) => {
    const root = document.querySelector('suportra-widget')?.shadowRoot ?? document
    const element = root.querySelector(selector)
    if (!element) return false
    const box = element.getBoundingClientRect()
    const x = box.left + box.width / 2
    const y = box.top + box.height / 2
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false
    const hit = root instanceof ShadowRoot ? root.elementFromPoint(x, y) : document.elementFromPoint(x, y)
    return hit === element || element.contains(hit)
  }, selector)

test('the builder sends a patch from the console; the vendor page applies it from the widget; the builder sees "Patch applied"', async () => {
  const user = await sites.open(scriptTag)
  const builder = await sites.open(dist('builder-console'))

  // The user starts a session from the vendor page (prefilled: tool v0, the hydration error).
  await user.page.getByRole('button', { name: 'Ask a human about this error' }).click()
  const dialog = user.page.getByRole('dialog', { name: 'Talk to a builder' })
  await dialog.getByLabel('Email').fill(DEMO.user.email)
  await dialog.getByLabel('Password').fill(DEMO.user.password)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await expect.poll(() => dialog.getByLabel('Describe the blocker').inputValue()).toContain('Hydration')
  await dialog.getByRole('button', { name: 'Start session' }).click()
  await expect.poll(() => dialog.getByText('Waiting for a builder').isVisible()).toBe(true)

  // The builder claims it in the console and sends a patch (pasted).
  await builder.page.getByLabel('Email').fill(DEMO.builder.email)
  await builder.page.getByLabel('Password').fill(DEMO.builder.password)
  await builder.page.getByRole('button', { name: 'Sign in' }).click()
  const queue = builder.page.getByRole('region', { name: 'Queue' })
  await queue.getByRole('button', { name: `Claim: ${TOPIC}` }).click()
  const pane = builder.page.getByRole('article', { name: `Chat: ${TOPIC}` })
  await pane.getByRole('button', { name: 'Send as patch' }).click()
  const form = pane.getByRole('group', { name: 'Send as patch' })
  await form.getByLabel('Unified diff').fill('just add suppressHydrationWarning')
  // Not a diff: said so, and it cannot be sent.
  await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/--- and \+\+\+/)
  expect(await form.getByRole('button', { name: 'Send patch' }).isDisabled()).toBe(true)
  await form.getByLabel('Unified diff').fill(DIFF)
  await form.getByLabel('What it does').fill('Render the date on the client only')
  await form.getByRole('button', { name: 'Send patch' }).click()
  const sent = pane.getByRole('figure', { name: 'Patch: Render the date on the client only' })
  await expect.poll(() => sent.isVisible()).toBe(true)
  // Shown as a diff: the added line is its own highlighted line.
  expect(await sent.locator('.d-add').first().textContent()).toBe('+"use client"\n')

  // The user's widget shows the patch card with the diff and "Apply in v0".
  const card = dialog.getByRole('group', { name: 'Patch' })
  await expect.poll(() => card.isVisible(), { timeout: 10_000 }).toBe(true)
  expect(await card.textContent()).toContain('Render the date on the client only')
  // Highlighted as a diff, line by line (each line its own span).
  expect((await card.locator('pre code').textContent())?.trimEnd()).toBe(DIFF.trimEnd())
  expect(await card.locator('pre code .d-del').textContent()).toContain('-  return <p>Today is')
  const apply = card.getByRole('button', { name: 'Apply in v0' })
  await expect.poll(() => apply.isVisible()).toBe(true)
  await card.scrollIntoViewIfNeeded()
  expect(await reachable(user.page, '.patch button.primary')).toBe(true)
  for (const size of [
    { width: 1366, height: 768 },
    { width: 375, height: 667 },
  ]) {
    await user.page.setViewportSize(size)
    await card.scrollIntoViewIfNeeded()
    await user.page.screenshot({ path: shotPath('patch-card', user.page) })
    await builder.page.setViewportSize(size)
    await builder.page.screenshot({ path: shotPath('console-patch', builder.page), fullPage: true })
  }
  await apply.click()

  // The vendor's handler got the patch as sent; the builder reads "Patch applied".
  await expect
    .poll(() => user.page.evaluate(() => (window as unknown as { appliedPatches: unknown[] }).appliedPatches))
    .toEqual([{ diff: DIFF, description: 'Render the date on the client only' }])
  await expect.poll(() => pane.getByText('Patch applied').isVisible(), { timeout: 10_000 }).toBe(true)
  await expect.poll(() => card.getByRole('status').textContent()).toBe('Patch applied')
  expect(await apply.count()).toBe(0)

  // Stored for both: the patch, and the user's report pointing at it.
  const { accessToken } = await signIn(sites.server.url, DEMO.builder.email)
  const { body } = await api(sites.server.url, 'GET', '/v1/builder/queue', { token: accessToken })
  expect(body).toBeDefined()
  const sessions = await api(sites.server.url, 'GET', '/v1/sessions', { token: accessToken })
  const id = sessions.body.sessions.find((s: { topic: string }) => s.topic === TOPIC).id
  const messages = (await api(sites.server.url, 'GET', `/v1/sessions/${id}/messages`, { token: accessToken }))
    .body.messages as {
    id: string
    patch: unknown
    patchResult: { messageId: string; applied: boolean } | null
  }[]
  const patch = messages.find((m) => m.patch)
  expect(messages.find((m) => m.patchResult)?.patchResult).toEqual({
    messageId: patch?.id,
    applied: true,
    detail: null,
  })
  await builder.page.screenshot({ path: shotPath('console-patch-applied', builder.page), fullPage: true })
  expect(user.problems.errors).toEqual([])
  expect(builder.problems.errors).toEqual([])
})

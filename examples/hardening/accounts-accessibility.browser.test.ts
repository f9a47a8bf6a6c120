// Accessibility of the account screens: axe-core (WCAG 2.2 A/AA and best practices) on sign-in with
// its account links, sign-up (and its error), "forgot password" and its answer, "choose a new
// password" (and a used link), and the account screen with its edit form (and a wrong password),
// light and dark. The other screens are in accessibility.browser.test.ts.
import { DEMO } from '@suportra/server/testing'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { axe, type Violation } from './support/axe.js'
import { panelOf, type Stack, startStack } from './support/stack.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(() => stack.close())

/** The reset link sent to `to` (queued by the server just after it answered). */
async function resetLink(to: string): Promise<string> {
  const { db } = stack.server.current.context.store
  let link: string | undefined
  await expect
    .poll(async () => {
      const rows = await db.selectFrom('emails').select('body').where('to_address', '=', to).execute()
      link = rows.at(-1)?.body.match(/(http\S+#suportra-reset=[\w-]+)/)?.[1]
      return link
    })
    .toBeDefined()
  return link as string
}

test('the account screens have no axe violation, light or dark', async () => {
  const host = await stack.host()
  const found: Record<string, Violation[]> = {}
  const screens: string[] = []
  let page!: Page
  const scan = async (screen: string, ready: Locator) => {
    await ready.waitFor()
    screens.push(screen)
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' })
      const violations = await axe(page, 'widget')
      if (violations.length) found[`${screen} (${colorScheme})`] = violations
    }
    await page.emulateMedia({ colorScheme: 'light' })
  }
  ;({ page } = await stack.open(host.url))
  const panel = panelOf(page)
  const user = await stack.user()

  await page.getByRole('button', { name: 'Ask a human', exact: true }).click()
  await scan('sign-in with account links', panel.getByRole('button', { name: 'Forgot password?' }))
  await panel.getByRole('button', { name: 'Create an account' }).click()
  await scan('sign-up', panel.getByLabel('I am 16 or older'))
  await panel.getByLabel('Name').fill('Taken')
  await panel.getByLabel('Email').fill(user.email)
  await panel.getByLabel('Password').fill('long-enough-password')
  await panel.getByLabel('I am 16 or older').check()
  await panel.getByRole('button', { name: 'Create an account' }).click()
  await scan('sign-up, email taken', panel.getByText('An account already uses this email.'))
  await panel.getByRole('button', { name: 'Back' }).click()
  await panel.getByRole('button', { name: 'Forgot password?' }).click()
  await scan('forgot password', panel.getByRole('button', { name: 'Email me a link' }))
  await panel.getByLabel('Email').fill(user.email)
  await panel.getByRole('button', { name: 'Email me a link' }).click()
  await scan('link sent', panel.getByText(`If an account uses \u2068${user.email}`))

  const link = await resetLink(user.email)
  ;({ page } = await stack.open(link))
  const reset = panelOf(page)
  await scan('choose a new password', reset.getByRole('button', { name: 'Save and sign in' }))
  await reset.getByLabel('Password').fill('the-new-password')
  await reset.getByRole('button', { name: 'Save and sign in' }).click()
  await reset.getByRole('heading', { name: 'What are you stuck on?' }).waitFor()
  ;({ page } = await stack.open(link))
  const used = panelOf(page)
  await used.getByLabel('Password').fill('another-password')
  await used.getByRole('button', { name: 'Save and sign in' }).click()
  await scan('used link', used.getByRole('button', { name: 'Ask for a new link' }))

  ;({ page } = await stack.open(host.url))
  const account = panelOf(page)
  await page.getByRole('button', { name: 'Ask a human', exact: true }).click()
  await account.getByLabel('Email').fill(user.email)
  await account.getByLabel('Password').fill('the-new-password')
  await account.getByRole('button', { name: 'Sign in' }).click()
  await account.getByRole('button', { name: 'Your data' }).click()
  await scan('your data, with name and email', account.getByRole('button', { name: 'Edit name and email' }))
  await account.getByRole('button', { name: 'Edit name and email' }).click()
  await scan('edit name and email', account.getByLabel('Your current password'))
  await account.getByLabel('Your current password').fill(DEMO.user.password)
  await account.getByRole('button', { name: 'Save' }).click()
  await scan('edit, wrong password', account.getByText('That is not your current password.'))

  const summary = Object.entries(found).map(
    ([screen, list]) =>
      `${screen}: ${list.map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}`).join(', ')}`,
  )
  console.log(`[hardening] Accessibility of the account screens: ${screens.length} screens × light/dark`)
  expect(summary).toEqual([])
})

// Accounts in the widget on the script-tag page, against the real server: sign-up, password reset
// with the link from the local mail outbox (/dev/mail), and an email change.
import { fileURLToPath } from 'node:url'
import { api, createUser, DEMO, signIn } from '@suportra/server/testing'
import type { Locator, Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { setupSites } from '../support/sites.js'

const root = fileURLToPath(new URL('.', import.meta.url))
const sites = setupSites({ closeAfterEach: true })

let counter = 0
const fresh = (name: string) => `${name}-${Date.now().toString(36)}-${++counter}@example.com`
const panelOf = (page: Page): Locator => page.getByRole('dialog', { name: 'Talk to a builder' })

async function openWidget(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Ask a human', exact: true }).click()
  const panel = panelOf(page)
  await panel.getByRole('heading', { name: 'Sign in to talk to a builder' }).waitFor()
  return panel
}

async function signInHere(page: Page, email: string, password = DEMO.user.password): Promise<Locator> {
  const panel = await openWidget(page)
  await panel.getByLabel('Email').fill(email)
  await panel.getByLabel('Password').fill(password)
  await panel.getByRole('button', { name: 'Sign in' }).click()
  await panel.getByRole('heading', { name: 'What are you stuck on?' }).waitFor()
  return panel
}

/** The reset link sent to `to`, as a person reads it in the local outbox page. */
async function linkFromOutbox(to: string): Promise<string> {
  let link: string | undefined
  await expect
    .poll(async () => {
      const html = await (await fetch(`${sites.server.url}/dev/mail`)).text()
      const email = html.split('<article').find((article) => article.includes(`to ${to} `))
      link = email?.match(/(http\S+#suportra-reset=[\w-]+)/)?.[1]?.replaceAll('&#38;', '&')
      return link
    })
    .toBeDefined()
  return link as string
}

test('a visitor creates an account from the widget (with the 16+ confirmation) and lands on the new session form', async () => {
  const { page, problems } = await sites.open(root)
  const panel = await openWidget(page)
  await panel.getByRole('button', { name: 'Create an account' }).click()
  await panel.getByRole('heading', { name: 'Create an account' }).waitFor()
  const email = fresh('signup')
  await panel.getByLabel('Name').fill('Margaret Hamilton')
  await panel.getByLabel('Email').fill(email)
  await panel.getByLabel('Password').fill('apollo-guidance')
  // Without the confirmation the browser does not send the form.
  await panel.getByRole('button', { name: 'Create an account' }).click()
  expect(
    await panel.getByRole('checkbox').evaluate((box: HTMLInputElement) => box.validity.valueMissing),
  ).toBe(true)
  await panel.getByLabel('I am 16 or older').check()
  await panel.getByRole('button', { name: 'Create an account' }).click()
  await panel.getByRole('heading', { name: 'What are you stuck on?' }).waitFor()

  const row = await sites.server.current.context.store.db
    .selectFrom('users')
    .select(['name', 'age_confirmed_at'])
    .where('login_email', '=', email)
    .executeTakeFirstOrThrow()
  expect(row).toMatchObject({ name: 'Margaret Hamilton', age_confirmed_at: expect.any(Number) })
  expect((await signIn(sites.server.url, email, 'apollo-guidance')).user.email).toBe(email)
  expect(problems.errors).toEqual([])
})

test('password reset: the emailed link opens the widget on "choose a new password"; the new password works, the old one and the other sign-ins do not', async () => {
  const { user } = await createUser(sites.server)
  const email = user.email as string
  // Signed in elsewhere: another browser with the widget open, and an API client.
  const other = await sites.open(root)
  const otherPanel = await signInHere(other.page, email)
  const elsewhere = await signIn(sites.server.url, email)

  const { page, context, problems } = await sites.open(root)
  const panel = await openWidget(page)
  await panel.getByRole('button', { name: 'Forgot password?' }).click()
  await panel.getByLabel('Email').fill(email)
  await panel.getByRole('button', { name: 'Email me a link' }).click()
  await panel.getByText(`If an account uses \u2068${email}\u2069, a link is on its way.`).waitFor()

  const link = await linkFromOutbox(email)
  expect(new URL(link).origin).toBe(new URL(page.url()).origin)
  // Opened from the email: a new tab.
  const tab = await context.newPage()
  await tab.goto(link)
  const reset = panelOf(tab)
  await reset.getByRole('heading', { name: 'Choose a new password' }).waitFor()
  // The token is out of the address bar at once.
  expect(new URL(tab.url()).hash).toBe('')
  await reset.getByLabel('Password').fill('a-much-better-password')
  await reset.getByRole('button', { name: 'Save and sign in' }).click()
  await reset.getByRole('heading', { name: 'What are you stuck on?' }).waitFor()

  // The other browser is signed out (its socket was closed as revoked), and says so by asking to sign in.
  await otherPanel.getByRole('heading', { name: 'Sign in to talk to a builder' }).waitFor()
  expect((await api(sites.server.url, 'GET', '/v1/me', { token: elsewhere.accessToken })).status).toBe(401)
  const withOld = await api(sites.server.url, 'POST', '/v1/auth/sign-in', {
    app: DEMO.appId,
    body: { email, password: DEMO.user.password },
  })
  expect(withOld.status).toBe(401)
  expect((await signIn(sites.server.url, email, 'a-much-better-password')).user.id).toBe(user.id)
  // The first tab follows the sign-in made in the new one.
  await panel.getByRole('heading', { name: 'What are you stuck on?' }).waitFor()
  // The same link again: refused.
  const again = await context.newPage()
  await again.goto(link)
  await panelOf(again).getByLabel('Password').fill('yet-another-password')
  await panelOf(again).getByRole('button', { name: 'Save and sign in' }).click()
  await panelOf(again).getByText('This link has expired or was already used.').waitFor()
  expect(problems.errors).toEqual([])
})

test('the account screen changes the email; the new one signs in, the old one no longer does', async () => {
  const { user } = await createUser(sites.server, { name: 'Grace Before' })
  const old = user.email as string
  const { page, problems } = await sites.open(root)
  const panel = await signInHere(page, old)
  await panel.getByRole('button', { name: 'Your data' }).click()
  await panel.getByRole('button', { name: 'Edit name and email' }).click()
  const email = fresh('moved')
  await panel.getByLabel('Name').fill('Grace After')
  await panel.getByLabel('Email').fill(email)
  await panel.getByLabel('Your current password').fill(DEMO.user.password)
  await panel.getByRole('button', { name: 'Save' }).click()
  await panel.getByText('Saved.').waitFor()
  expect(await panel.getByText(email).isVisible()).toBe(true)
  expect(await panel.getByText('Grace After').isVisible()).toBe(true)

  expect((await signIn(sites.server.url, email)).user.name).toBe('Grace After')
  const withOld = await api(sites.server.url, 'POST', '/v1/auth/sign-in', {
    app: DEMO.appId,
    body: { email: old, password: DEMO.user.password },
  })
  expect(withOld.status).toBe(401)
  // A reload shows the new details (they were stored with the sign-in).
  await page.reload()
  await page.getByRole('button', { name: 'Ask a human', exact: true }).click()
  await panelOf(page).getByRole('button', { name: 'Your data' }).click()
  await panelOf(page).getByText(email).waitFor()
  expect(problems.errors).toEqual([])
})

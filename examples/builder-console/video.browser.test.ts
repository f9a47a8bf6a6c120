// Video, seen by both sides: the user asks for it in the widget (its cost, a confirmation), the
// builder in the console; both get "Join video" with the same meeting link, opened in a new tab
// that cannot reach back into the page (rel=noopener).
import { fileURLToPath } from 'node:url'
import { api, createUser, DEMO } from '@suportra/server/testing'
import type { Locator, Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { setupSites } from '../support/sites.js'

const sites = setupSites({ closeAfterEach: true })
const consoleDist = fileURLToPath(new URL('./dist/', import.meta.url))
const scriptTag = fileURLToPath(new URL('../script-tag/', import.meta.url))

/** A new user with `credits` signs in through the widget and starts a session. */
async function userWaiting(topic: string, credits: number) {
  const person = await createUser(sites.server, { name: 'Video Vera', credits })
  const site = await sites.open(scriptTag)
  await site.page.getByRole('button', { name: 'Ask a human', exact: true }).click()
  const dialog = site.page.getByRole('dialog', { name: 'Talk to a builder' })
  await dialog.getByLabel('Email').fill(person.user.email ?? '')
  await dialog.getByLabel('Password').fill(DEMO.user.password)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await dialog.getByLabel('Describe the blocker').fill(topic)
  await dialog.getByRole('button', { name: 'Start session' }).click()
  await dialog.getByText('Waiting for a builder').waitFor()
  return { ...site, dialog, person }
}

/** Grace signs in to the console and claims the session with `topic`; resolves with its pane. */
async function builderClaims(topic: string) {
  const site = await sites.open(consoleDist)
  await site.page.getByLabel('Email').fill(DEMO.builder.email)
  await site.page.getByLabel('Password').fill(DEMO.builder.password)
  await site.page.getByRole('button', { name: 'Sign in' }).click()
  await site.page
    .getByRole('region', { name: 'Queue' })
    .getByRole('button', { name: `Claim: ${topic}` })
    .click()
  const pane = site.page.getByRole('article', { name: `Chat: ${topic}` })
  await pane.waitFor()
  return { ...site, pane }
}

/** Clicks a "Join video" link and returns the tab it opened: its address and whether it can reach its opener. */
async function follow(page: Page, link: Locator) {
  const [tab] = await Promise.all([page.context().waitForEvent('page'), link.click()])
  await tab.waitForLoadState()
  const result = { url: tab.url(), opener: await tab.evaluate(() => window.opener !== null) }
  await tab.close()
  return result
}

test('the user upgrades to video in the widget; the user and the builder in the console both join the same meeting', async () => {
  const topic = 'Video: the drag-and-drop builder freezes'
  const user = await userWaiting(topic, 3)
  const builder = await builderClaims(topic)
  await user.dialog.getByRole('button', { name: 'End session' }).waitFor()
  // The meeting host is outside; a stand-in page answers for it in both browsers.
  for (const site of [user, builder])
    await site.context.route('https://meet.jit.si/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<title>Meeting</title><p>Meeting</p>' }),
    )

  // The builder suggests it; only the user can start it (and pay for it).
  await builder.pane.getByRole('button', { name: 'Suggest a video call' }).click()
  await user.dialog.getByText('Would a video call help?').waitFor()
  expect(await builder.pane.getByRole('link', { name: 'Join video' }).count()).toBe(0)

  await user.dialog.getByRole('button', { name: 'Video call (cost: 1)' }).click()
  await user.dialog
    .getByText(`Start a video call with ${DEMO.builder.name}? Cost: 1 · Your credits: 2`)
    .waitFor()
  await user.dialog.getByRole('button', { name: 'Start video call' }).click()

  const userJoin = user.dialog.getByRole('link', { name: 'Join video' })
  const builderJoin = builder.pane.getByRole('link', { name: 'Join video' })
  await userJoin.waitFor()
  await builderJoin.waitFor()
  const meeting = await userJoin.getAttribute('href')
  expect(meeting).toMatch(/^https:\/\/meet\.jit\.si\/suportra-ses_/)
  expect(await builderJoin.getAttribute('href')).toBe(meeting)
  for (const link of [userJoin, builderJoin]) {
    expect(await link.getAttribute('target')).toBe('_blank')
    expect(await link.getAttribute('rel')).toContain('noopener')
  }
  // Both transcripts say it; the suggestion is not offered again.
  await user.dialog.getByText('Upgraded to video').waitFor()
  await builder.pane.getByText('Upgraded to video').waitFor()
  expect(await builder.pane.getByRole('button', { name: 'Suggest a video call' }).count()).toBe(0)
  expect(await user.dialog.getByRole('button', { name: /Video call/ }).count()).toBe(0)

  // Each opens the meeting in a new tab, which cannot reach back into the page.
  expect(await follow(user.page, userJoin)).toEqual({ url: meeting, opener: false })
  expect(await follow(builder.page, builderJoin)).toEqual({ url: meeting, opener: false })

  const stored = await api(sites.server.url, 'GET', '/v1/credits', { token: user.person.accessToken })
  expect(stored.body.balance).toBe(1) // 3 − the session − video, once
  expect(user.problems.errors).toEqual([])
  expect(builder.problems.errors).toEqual([])
})

test('without credits for video the widget says so and offers to buy; nothing is upgraded', async () => {
  const topic = 'Video: no credits left'
  const user = await userWaiting(topic, 1)
  const builder = await builderClaims(topic)
  await user.dialog.getByRole('button', { name: 'End session' }).waitFor()
  await user.dialog.getByRole('button', { name: 'Video call (cost: 1)' }).click()
  const alert = user.dialog.getByRole('alert')
  await expect
    .poll(() => alert.textContent())
    .toContain('Not enough credits: video costs 1, your balance is 0.')
  expect(await user.dialog.getByRole('button', { name: 'Start video call' }).isDisabled()).toBe(true)
  await alert.getByRole('button', { name: 'Buy credits' }).click()
  await user.dialog.getByRole('heading', { name: 'Credits' }).waitFor()
  expect(await builder.pane.getByRole('link', { name: 'Join video' }).count()).toBe(0)
})

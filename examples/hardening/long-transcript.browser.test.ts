// A transcript of 10,000 messages, seeded straight into the database: the widget holds all of them and
// keeps only a window of rows in the DOM (a virtual list), while the user sees the newest message after
// opening and after sending, and reaches the first one by scrolling to the top.
import { createClient, memoryStorage, type SuportraClient } from '@suportra/client'
import { DEMO, grantCredits, insertMessages, signIdentityToken } from '@suportra/server/testing'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'
import { panelOf, type Stack, sendFromWidget, startStack } from './support/stack.js'

const HELD = 10_000
let stack: Stack
let user: SuportraClient | undefined
const report: string[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  for (const line of report) console.log(`[hardening] Long transcript ${line}`)
  user?.destroy()
  await stack.close()
})

/** The transcript as the DOM holds it: its rows, and the size of the whole it says they belong to. */
const rows = (page: Page) =>
  page.evaluate(() => {
    const log = document.querySelector('suportra-widget')?.shadowRoot?.querySelector('.log') as HTMLElement
    const items = [...log.querySelectorAll('li')]
    return { count: items.length, setSize: Number(items[0]?.getAttribute('aria-setsize')) }
  })

/** Whether the row with exactly this text is drawn where it is: on screen, not scrolled away or covered. */
const onScreen = (page: Page, text: string) =>
  page.evaluate((text) => {
    const root = document.querySelector('suportra-widget')?.shadowRoot as ShadowRoot
    const li = [...root.querySelectorAll('.log li')].find(
      (li) => li.querySelector('.md')?.textContent === text,
    )
    if (!li) return false
    const r = li.getBoundingClientRect()
    const hit = root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
    return Boolean(hit && li.contains(hit))
  }, text)

test('with 10,000 messages held the list keeps fewer than 200 rows in the DOM; the newest is on screen after opening and after a send, the first after scrolling to the top', async () => {
  const token = await signIdentityToken({ sub: 'long-transcript', name: 'Long Reader' })
  user = createClient({ baseUrl: stack.server.url, appId: DEMO.appId, storage: memoryStorage(), WebSocket })
  await user.auth.identify({ token })
  const userId = user.$user.get()?.id ?? ''
  await grantCredits(stack.server, userId, 1)
  const topic = 'Ten thousand messages'
  await user.sessions.start({ tool: 'cursor', topic })
  const handle = await stack.claim(topic)
  const builderId = stack.builder.$user.get()?.id ?? ''
  await insertMessages(stack.server.current.context.store.db, {
    sessionId: handle.id,
    count: HELD,
    userId,
    builderId,
  })

  const host = await stack.host()
  const { page, problems } = await stack.open(host.url, { viewport: { width: 1366, height: 768 } })
  await page.evaluate((token) => {
    const suportra = (window as unknown as { Suportra(...args: unknown[]): void }).Suportra
    suportra('identify', { token })
    suportra('open')
  }, token)
  const panel = panelOf(page)
  await panel.getByText(`Message ${HELD}`).waitFor()
  expect(await onScreen(page, `Message ${HELD}`)).toBe(true)

  // "Copy transcript" loads every older page first, with the panel open: the widget then holds them all.
  await panel.getByRole('button', { name: 'Copy transcript' }).click()
  // Session started, joined, and the 10,000.
  await expect.poll(async () => (await rows(page)).setSize, { timeout: 60_000 }).toBe(HELD + 2)
  const held = await rows(page)
  expect(held.count).toBeLessThan(200)
  expect(await onScreen(page, `Message ${HELD}`)).toBe(true)
  if (process.env.HARDENING_SHOTS)
    await page.screenshot({ path: `${process.env.HARDENING_SHOTS}/long-transcript-1366-bottom.png` })

  await sendFromWidget(panel, 'Thanks, that fixed it')
  await expect.poll(() => onScreen(page, 'Thanks, that fixed it')).toBe(true)
  expect((await rows(page)).count).toBeLessThan(200)

  // To the top (a scrollbar dragged all the way up): the first messages are drawn there.
  await page.evaluate(() => {
    const log = document.querySelector('suportra-widget')?.shadowRoot?.querySelector('.log') as HTMLElement
    log.scrollTop = -log.scrollHeight
  })
  await expect.poll(() => onScreen(page, 'Message 1')).toBe(true)
  await expect.poll(() => panel.getByText('Session started').isVisible()).toBe(true)
  const top = await rows(page)
  expect(top.count).toBeLessThan(200)
  // HARDENING_SHOTS=/dir: the top at 1366×768, then the bottom and the top on a 375×667 screen.
  const shots = process.env.HARDENING_SHOTS
  if (shots) {
    await page.screenshot({ path: `${shots}/long-transcript-1366-top.png` })
    await page.setViewportSize({ width: 375, height: 667 })
    await page.evaluate(() => {
      const log = document.querySelector('suportra-widget')?.shadowRoot?.querySelector('.log') as HTMLElement
      log.scrollTop = 0
    })
    await expect.poll(() => onScreen(page, 'Thanks, that fixed it')).toBe(true)
    await page.screenshot({ path: `${shots}/long-transcript-375-bottom.png` })
  }
  report.push(
    `${HELD} messages held: ${held.count} rows in the DOM at the bottom, ${top.count} at the top (aria-setsize ${held.setSize}); newest on screen after open and send, first after scrolling up`,
  )
  expect(problems.errors).toEqual([])
}, 120_000)

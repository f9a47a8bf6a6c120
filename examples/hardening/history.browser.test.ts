// Long transcripts: the chat opens on the newest page of a 130-message session; scrolling up loads the
// older pages one by one (the top of the list says "Loading…" while older messages exist), the messages
// on screen stay where they were, and the user reaches the first message and the session's start, which
// the top of the list then names. Pages that do not fill the list go on loading with nobody scrolling.
import { createClient, memoryStorage, type SuportraClient } from '@suportra/client'
import { DEMO, grantCredits, signIdentityToken } from '@suportra/server/testing'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'
import { panelOf, type Stack, startStack } from './support/stack.js'

let stack: Stack
let user: SuportraClient | undefined
let reader: SuportraClient | undefined
const report: string[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  for (const line of report) console.log(`[hardening] History ${line}`)
  user?.destroy()
  reader?.destroy()
  await stack.close()
})

/** The first message drawn in the list's visible part, and where it is. */
function topOfList(page: Page) {
  return page.evaluate(() => {
    const log = document.querySelector('suportra-widget')?.shadowRoot?.querySelector('.log') as HTMLElement
    const top = log.getBoundingClientRect().top
    const first = [...log.querySelectorAll('li')].find((li) => li.getBoundingClientRect().bottom > top + 1)
    return { text: first?.textContent ?? '', y: Math.round(first?.getBoundingClientRect().top ?? 0) }
  })
}

/** Where a list item with this text is now. */
const yOf = (page: Page, text: string) =>
  page.evaluate((text) => {
    const log = document.querySelector('suportra-widget')?.shadowRoot?.querySelector('.log') as HTMLElement
    const li = [...log.querySelectorAll('li')].find((li) => li.textContent === text)
    return li ? Math.round(li.getBoundingClientRect().top) : undefined
  }, text)

/** Whether this text is what the screen shows at its place in the list (not scrolled away). */
const onScreen = (page: Page, text: string) =>
  page.evaluate((text) => {
    const root = document.querySelector('suportra-widget')?.shadowRoot as ShadowRoot
    const log = root.querySelector('.log') as HTMLElement
    const li = [...log.querySelectorAll('li')].find((li) => li.textContent?.includes(text))
    if (!li) return false
    const r = li.getBoundingClientRect()
    const hit = root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
    return Boolean(hit && li.contains(hit))
  }, text)

test('scrolling up through a 130-message transcript loads every older page, keeps the place, and reaches the first message', async () => {
  const token = await signIdentityToken({ sub: 'history-130', name: 'Reader' })
  user = createClient({ baseUrl: stack.server.url, appId: DEMO.appId, storage: memoryStorage(), WebSocket })
  await user.auth.identify({ token })
  await grantCredits(stack.server, user.$user.get()?.id ?? '', 1)
  const topic = 'A long session'
  await user.sessions.start({ tool: 'cursor', topic })
  const builder = await stack.claim(topic)
  for (let i = 1; i <= 130; i++) await builder.send(`Message ${i}`)

  const host = await stack.host()
  const { page, problems } = await stack.open(host.url, { viewport: { width: 1366, height: 768 } })
  // Each older page waits until the test has looked at the screen while it loads.
  let release = () => {}
  const pages: string[] = []
  await page.route(/\/v1\/sessions\/[^/]+\/messages\?.*before=/, async (route) => {
    pages.push(new URL(route.request().url()).searchParams.get('before') ?? '')
    await new Promise<void>((resolve) => {
      release = resolve
    })
    await route.continue()
  })
  await page.evaluate((token) => {
    const suportra = (window as unknown as { Suportra(...args: unknown[]): void }).Suportra
    suportra('identify', { token })
    suportra('open')
  }, token)
  const panel = panelOf(page)
  await panel.getByText('Message 130').waitFor()
  expect(await panel.getByText('Message 1', { exact: true }).count()).toBe(0)

  const log = panel.getByRole('log')
  const box = await log.boundingBox()
  await page.mouse.move((box?.x ?? 0) + 100, (box?.y ?? 0) + 100)
  const kept: string[] = []
  // The size of the whole transcript: a long one renders the rows near the visible part (a virtual
  // list) and says the size of the whole they belong to.
  const held = () =>
    panel.locator('li').evaluateAll((lis) => Number(lis[0]?.getAttribute('aria-setsize')) || lis.length)
  // The user scrolls up to the top as long as it says older messages exist (and load).
  for (let load = 1; load <= 5; load++) {
    await page.mouse.wheel(0, -20_000)
    await expect
      .poll(async () => pages.length === load || (await onScreen(page, 'Start of the conversation')))
      .toBe(true)
    if (pages.length < load) break
    // While the page loads: the top of the list says so, on screen.
    expect(await onScreen(page, 'Loading…')).toBe(true)
    const before = await topOfList(page)
    const under = (await panel.locator('li.message').first().textContent()) ?? ''
    const y = await yOf(page, under)
    const size = await held()
    release()
    await expect.poll(held).toBeGreaterThan(size)
    // The message that was first stays exactly where it was; the older ones went in above it.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
    const after = await yOf(page, under)
    kept.push(`page ${load} (before seq ${pages[load - 1]}): "${under}" at ${y} px, then ${after} px`)
    expect(after).toBe(y)
    expect(before.text).toBe('Loading…')
  }
  await expect.poll(() => onScreen(page, 'Session started')).toBe(true)
  expect(await onScreen(page, 'Message 1')).toBe(true)
  // The top of the list says this is the start.
  await expect.poll(() => onScreen(page, 'Start of the conversation')).toBe(true)
  expect(await panel.getByText('Loading…').count()).toBe(0)
  // Every message is held (the list renders the rows near the visible part and tells screen readers
  // the size of the whole: the start line, two event lines and the 130).
  expect(await held()).toBe(133)
  report.push(
    `130 messages: opened on the newest ${50} lines, ${pages.length} older pages loaded by scrolling up (${kept.join('; ')}); the first message and "Session started" reached`,
  )
  expect(pages.length).toBe(2)
  expect(problems.errors).toEqual([])
})

test('pages that do not fill the panel go on loading with nobody scrolling, up to the first message and the end-of-history line', async () => {
  const token = await signIdentityToken({ sub: 'history-short-pages', name: 'Short pages' })
  reader = createClient({ baseUrl: stack.server.url, appId: DEMO.appId, storage: memoryStorage(), WebSocket })
  await reader.auth.identify({ token })
  await grantCredits(stack.server, reader.$user.get()?.id ?? '', 1)
  const topic = 'A session read in short pages'
  await reader.sessions.start({ tool: 'cursor', topic })
  const builder = await stack.claim(topic)
  for (let i = 1; i <= 2; i++) await builder.send(`Line ${i}`)

  const host = await stack.host()
  const { page, problems } = await stack.open(host.url, { viewport: { width: 1366, height: 768 } })
  // Pages of one message (a server may answer fewer than the client asks for): the newest page leaves
  // most of the list empty, and so does each older one. (The whole transcript, five lines, fits too.)
  const older: string[] = []
  await page.route(/\/v1\/sessions\/[^/]+\/messages\?/, (route) => {
    const url = new URL(route.request().url())
    if (url.searchParams.has('after')) return route.continue()
    if (url.searchParams.has('before')) older.push(url.searchParams.get('before') ?? '')
    url.searchParams.set('limit', '1')
    return route.continue({ url: url.href })
  })
  await page.evaluate((token) => {
    const suportra = (window as unknown as { Suportra(...args: unknown[]): void }).Suportra
    suportra('identify', { token })
    suportra('open')
  }, token)
  const panel = panelOf(page)
  await panel.getByText('Line 2').waitFor()
  // No wheel, no touch, no keyboard: the older pages load by themselves until the first message, and
  // the top of the list then says that this is the start.
  await expect.poll(() => onScreen(page, 'Start of the conversation')).toBe(true)
  expect((await topOfList(page)).text).toBe('Start of the conversation')
  expect(await onScreen(page, 'Session started')).toBe(true)
  expect(await onScreen(page, 'Line 1')).toBe(true)
  expect(await panel.getByText('Loading…').count()).toBe(0)
  // Messages 1–4 (two events, two lines) in pages of one: the newest, then three older ones.
  expect(older).toEqual(['4', '3', '2'])
  report.push(
    `4 messages in pages of 1, nobody scrolling: ${older.length} older pages loaded by themselves (before seq ${older.join(', ')}), "Start of the conversation" on top`,
  )
  expect(problems.errors).toEqual([])
})

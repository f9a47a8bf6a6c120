// Mobile: a 375×667 touch screen completes a session by tapping; the panel fills the screen (the visible
// one, also on a host page wider than the screen); the composer stays in view when the on-screen keyboard
// shrinks the visual viewport. The page itself fits the phone whatever the font.
import { api, DEMO, signIn } from '@suportra/server/testing'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { axe } from './support/axe.js'
import { builderSees, panelOf, type Stack, startStack } from './support/stack.js'

const PHONE = {
  viewport: { width: 375, height: 667 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0 Mobile Safari/537.36',
}
/** The height a phone keyboard takes (about 40% of the screen). */
const KEYBOARD = 290

let stack: Stack
const report: string[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  for (const line of report) console.log(`[hardening] Mobile ${line}`)
  await stack.close()
})

type Rect = { top: number; bottom: number; left: number; right: number }

/**
 * Whether the user can see `target` now, without scrolling: its box is inside the visual viewport and
 * it is what is drawn at its centre (not scrolled away inside the panel, not covered).
 */
function visible(target: Locator): Promise<true | string> {
  return target.evaluate((el) => {
    const vv = window.visualViewport as VisualViewport
    const view: Rect = { top: vv.offsetTop, bottom: vv.offsetTop + vv.height, left: 0, right: vv.width }
    const r = el.getBoundingClientRect()
    const within =
      r.top >= view.top - 1 &&
      r.bottom <= view.bottom + 1 &&
      r.left >= view.left - 1 &&
      r.right <= view.right + 1
    const root = el.getRootNode() as ShadowRoot
    const hit = root.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2)
    if (within && hit && (hit === el || el.contains(hit))) return true
    return `at ${Math.round(r.top)}–${Math.round(r.bottom)}px, the visual viewport is ${view.top}–${view.bottom}px${within ? ', but hidden (scrolled away or covered)' : ''}`
  })
}

test('a phone completes a session by touch, full screen, with the composer above the keyboard', async () => {
  const host = await stack.host()
  const { page, problems } = await stack.open(host.url, PHONE)
  const user = await stack.user(2)
  const topic = 'Lovable app white screen on iPhone'
  const panel = panelOf(page)
  const checks: string[] = []

  await page.locator('suportra-widget .launcher').tap()
  await expect.poll(() => panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 }) // once it has slid in
  checks.push('panel fills the screen')

  await panel.getByLabel('Email').tap()
  await panel.getByLabel('Email').fill(user.email)
  await panel.getByLabel('Password').fill(DEMO.user.password)
  await panel.getByRole('button', { name: 'Sign in' }).tap()
  await panel.getByLabel('Describe the blocker').fill(topic)
  await panel.getByRole('button', { name: 'Start session' }).tap()
  const handle = await stack.claim(topic)
  for (let i = 1; i <= 12; i++) await handle.send(`Step ${i}: check the Safari console for errors`)
  await panel.getByText('Step 12: check').waitFor()

  const composer = panel.getByLabel('Write a message')
  const inView = {
    composer,
    'send button': panel.getByRole('button', { name: 'Send', exact: true }),
    'panel header': panel.getByRole('heading', { name: 'Talk to a builder' }),
    'newest message': panel.getByText('Step 12: check'),
  }
  const hidden: string[] = []
  const look = async (when: string) => {
    for (const [name, target] of Object.entries(inView)) {
      const seen = await visible(target)
      if (seen === true) checks.push(`${name} in view ${when}`)
      else hidden.push(`${name} ${when}: ${seen}`)
    }
  }
  await look('as messages arrive')
  // The keyboard opens (the composer takes focus, without the test scrolling anything): the visual
  // viewport shrinks, and the composer, the send button and the newest message must stay in it.
  await composer.evaluate((el: HTMLElement) => el.focus({ preventScroll: true }))
  await page.setViewportSize({ width: 375, height: 667 - KEYBOARD })
  await expect.poll(() => page.evaluate(() => window.visualViewport?.height)).toBe(667 - KEYBOARD)
  await expect.poll(() => panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 - KEYBOARD })
  checks.push('panel shrinks to the visual viewport')
  await look('with the keyboard open')
  await composer.fill('Nothing in the console, just a white page')
  await panel.getByRole('button', { name: 'Send', exact: true }).tap()
  await builderSees(handle, 'Nothing in the console, just a white page')
  await page.setViewportSize(PHONE.viewport)
  await expect.poll(() => panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 })
  checks.push('panel fills the screen again when the keyboard closes')

  const violations = await axe(page, 'widget')
  checks.push(`axe on the phone chat: ${violations.length} violations`)

  await panel.getByRole('button', { name: 'End session' }).tap()
  await panel.locator('label', { hasText: '4 of 5' }).tap()
  await panel.getByRole('button', { name: 'Send', exact: true }).tap()
  await panel.getByText('Thank you!').waitFor()
  await panel.getByRole('button', { name: 'Close' }).tap()
  expect(await panel.count()).toBe(0)

  const { accessToken } = await signIn(stack.server.url, user.email)
  const stored = await api(stack.server.url, 'GET', `/v1/sessions/${handle.id}`, { token: accessToken })
  expect(stored.body.session).toMatchObject({ status: 'closed', rating: { score: 4 } })
  expect(problems.errors).toEqual([])
  report.push(
    `375×667 touch: a whole session by tapping; ${checks.join('; ')}; not in view: ${hidden.length ? hidden.join('; ') : 'nothing'}`,
  )
  expect(hidden).toEqual([])
  expect(violations.map((v) => `${v.id}: ${v.nodes.join(' | ')}`)).toEqual([])
})

test('text fields are at least 16px on a phone, so iOS does not zoom the page when one is focused', async () => {
  const host = await stack.host()
  const { page } = await stack.open(host.url, PHONE)
  await page.locator('suportra-widget .launcher').tap()
  const sizes = await panelOf(page)
    .locator('input, textarea, select')
    .evaluateAll((fields) =>
      fields.map((f) => `${f.getAttribute('name') ?? f.tagName}: ${getComputedStyle(f).fontSize}`),
    )
  report.push(`field font sizes on a phone: ${sizes.join(', ')}`)
  expect(sizes.filter((size) => Number.parseFloat(size.split(': ')[1] ?? '0') < 16)).toEqual([])
})

/** The panel's box and the visual viewport's (the part of the page on screen), in the same coordinates. */
function panelAndScreen(page: Page) {
  return page.evaluate(() => {
    const r = document
      .querySelector('suportra-widget')
      ?.shadowRoot?.querySelector('.panel')
      ?.getBoundingClientRect()
    const vv = window.visualViewport as VisualViewport
    const round = (box: { x: number; y: number; width: number; height: number }) =>
      [box.x, box.y, box.width, box.height].map(Math.round).join(' ')
    // What is drawn at the middle of the screen.
    const hit = document.elementFromPoint(vv.offsetLeft + vv.width / 2, vv.offsetTop + vv.height / 2)
    return {
      panel: r ? round(r) : 'none',
      screen: round({ x: vv.offsetLeft, y: vv.offsetTop, width: vv.width, height: vv.height }),
      middle: hit?.localName ?? 'nothing',
      pageWidth: document.documentElement.scrollWidth,
    }
  })
}

test('on a host page wider than the screen, the phone panel covers the visible screen exactly, also panned sideways', async () => {
  const host = await stack.host()
  const { page, problems } = await stack.open(`${host.url}/?css=wide`, PHONE)
  await page.evaluate(() => (window as unknown as { Suportra(...args: unknown[]): void }).Suportra('open'))
  await panelOf(page).waitFor()

  /** Once the panel covers the screen exactly (the page's listeners have run): both, and what is in the middle. */
  const covered = async () => {
    let seen = await panelAndScreen(page)
    await expect
      .poll(async () => {
        seen = await panelAndScreen(page)
        return seen.panel
      })
      .toBe(seen.screen)
    return seen
  }
  const first = await covered()
  // The page scrolls sideways: the layout viewport is wider than the screen.
  expect(first.pageWidth).toBeGreaterThan(PHONE.viewport.width + 100)
  expect(first.screen).toMatch(/ 375 667$/)
  expect(first.middle).toBe('suportra-widget')

  // The user pans the page sideways (a swipe): the panel stays on the visible screen.
  await page.mouse.move(200, 300)
  await page.mouse.wheel(400, 0)
  await expect.poll(async () => (await panelAndScreen(page)).screen).not.toBe(first.screen)
  const panned = await covered()
  expect(panned.middle).toBe('suportra-widget')
  report.push(
    `a host page ${first.pageWidth} px wide on a 375 px phone: panel ${first.panel} = screen ${first.screen}; panned: panel ${panned.panel} = screen ${panned.screen}`,
  )
  expect(problems.errors).toEqual([])
})

test('the hardening page fits a 375 px phone whatever the font (much wider text than the default)', async () => {
  const host = await stack.host()
  const { page } = await stack.open(host.url, PHONE)
  const widths: string[] = []
  for (const font of ['', '* { font-family: monospace !important; letter-spacing: 0.12em !important }']) {
    if (font) await page.addStyleTag({ content: font })
    widths.push(
      `${font ? 'wide monospace' : 'default'}: ${await page.evaluate(() => document.documentElement.scrollWidth)} px`,
    )
  }
  report.push(`page width on a 375 px phone: ${widths.join(', ')}`)
  expect(widths).toEqual(['default: 375 px', 'wide monospace: 375 px'])
})

test('opening the panel draws it at the visual viewport at once: no style written to it after it is in the page (no restyle of the whole panel), but the keyboard still resizes it', async () => {
  const host = await stack.host()
  const { page, problems } = await stack.open(host.url, PHONE)
  const panel = panelOf(page)
  await page.locator('suportra-widget .launcher').waitFor()
  // Every style written to the panel once it is in the shadow root (a change of its variables restyles
  // everything in it: they are inherited).
  await page.evaluate(() => {
    const root = document.querySelector('suportra-widget')?.shadowRoot as ShadowRoot
    const writes: string[] = []
    ;(window as unknown as { writes: string[] }).writes = writes
    new MutationObserver((records) => {
      for (const record of records)
        if ((record.target as Element).classList.contains('panel')) writes.push(String(record.attributeName))
    }).observe(root, { subtree: true, attributes: true, attributeFilter: ['style'] })
  })
  const writes = () => page.evaluate(() => (window as unknown as { writes: string[] }).writes.length)

  await page.locator('suportra-widget .launcher').tap()
  await expect.poll(() => panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 })
  // Past the frames in which the panel's effects run.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)))
  expect(await writes()).toBe(0)

  await page.setViewportSize({ width: 375, height: 667 - KEYBOARD })
  await expect.poll(() => panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 - KEYBOARD })
  expect(await writes()).toBeGreaterThan(0)
  report.push('open: the panel is drawn at the visual viewport with no style written after it is in the page')
  expect(problems.errors).toEqual([])
})

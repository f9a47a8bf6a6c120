// Hostile host CSS: with aggressive global rules on the page, the widget looks exactly as on a clean
// page (pixel diff of the widget's area), works, stays above the page, and changes nothing on it.
import { writeFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { crop, decodePng, pixelDiff } from './support/png.js'
import { byApi, byLauncher, chatThroughWidget, panelOf, type Stack, startStack } from './support/stack.js'

const SHEETS = ['reset', 'z-index', 'custom-properties', 'transform']
/** Share of pixels allowed to differ (anti-aliasing), and by how much a channel may differ. */
const MAX_DIFF = 0.005
const TOLERANCE = 24

type Box = { x: number; y: number; width: number; height: number }
interface Walkthrough {
  shots: { launcher: Buffer; 'sign-in'?: Buffer; chat?: Buffer }
  /** What is on top at points inside the launcher and the panel. */
  topmost: string[]
  /** The host page's computed styles while the panel is open. */
  styles: Record<string, string>
}

let stack: Stack
let pageUrl: string
let cleanRun: Promise<Walkthrough> | undefined
/** The clean page's walkthrough, done once (inside the first test: it uses expect.poll). */
const clean = () => {
  cleanRun ??= walkthrough('', true)
  return cleanRun
}
const regions: Record<string, Box> = {}
const summary: string[] = []

beforeAll(async () => {
  stack = await startStack()
  pageUrl = (await stack.host()).url
})
afterAll(async () => {
  console.log(
    `[hardening] Hostile CSS: ${SHEETS.length} hostile sheets vs a clean page — ${summary.join('; ')}`,
  )
  await stack.close()
})

/** Inset so that rounded corners (where the host page shows through) are not compared. */
const inset = (box: Box, dx: number, dy: number): Box => ({
  x: Math.round(box.x + dx),
  y: Math.round(box.y + dy),
  width: Math.round(box.width - 2 * dx),
  height: Math.round(box.height - 2 * dy),
})

/**
 * A screenshot of what the viewport shows (the compositor's surface, through CDP), once two in a row
 * agree (nothing is still moving in). The widget's region is cut out later, in viewport coordinates:
 * Playwright's screenshots are taken in page coordinates, which a right-to-left page that scrolls
 * sideways shifts.
 */
async function shot(page: Page): Promise<Buffer> {
  const cdp = await page.context().newCDPSession(page)
  let last: Buffer = Buffer.alloc(0)
  for (let i = 0; i < 10; i++) {
    const { data } = await cdp.send('Page.captureScreenshot', { format: 'png', fromSurface: true })
    const next = Buffer.from(data, 'base64')
    if (next.equals(last)) break
    last = next
    await page.waitForTimeout(50)
  }
  await cdp.detach()
  return last
}

/** Points inside the launcher and the panel; at each, the widget must be what the user sees. */
function topmost(page: Page, box: Box): Promise<string[]> {
  const points = [0.1, 0.5, 0.9].flatMap((fx) =>
    [0.1, 0.5, 0.9].map((fy) => [box.x + box.width * fx, box.y + box.height * fy]),
  )
  return page.evaluate(
    (list) =>
      list.map(([x = 0, y = 0]) => {
        const hit = document.elementFromPoint(x, y)
        const inner = hit?.shadowRoot?.elementFromPoint(x, y)
        return inner?.closest('.panel, .launcher')
          ? 'widget'
          : `${hit?.tagName.toLowerCase()}.${hit?.className}`
      }),
    points,
  )
}

async function walkthrough(css: string, reference = false): Promise<Walkthrough> {
  const { page, problems } = await stack.open(`${pageUrl}/?css=${css}`)
  const launcher = page.locator('suportra-widget .launcher')
  await launcher.waitFor()
  if (reference) {
    const box = await launcher.boundingBox()
    if (box) regions.launcher = inset(box, 24, 2)
  }
  const shots: Walkthrough['shots'] = { launcher: await shot(page) }
  const top = await topmost(page, regions.launcher as Box)
  // A covered launcher fails the test; the vendor's own button still opens the widget, so the
  // comparison goes on.
  const open = top.every((what) => what === 'widget') ? byLauncher : byApi

  await open(page)
  const panel = panelOf(page)
  await panel.getByLabel('Email').waitFor()
  if (reference) {
    const box = await panel.boundingBox()
    if (box) regions.panel = inset(box, 16, 16)
  }
  shots['sign-in'] = await shot(page)
  top.push(...(await topmost(page, regions.panel as Box)))
  const styles = await hostStyles(page)
  // Going on needs clicks inside the panel, which a covered panel does not get.
  if (top.some((what) => what !== 'widget')) return { shots, topmost: top, styles }

  await panel.getByRole('button', { name: 'Close' }).click()
  await expect.poll(() => panel.count()).toBe(0)
  await chatThroughWidget(stack, page, 'Hydration error on the pricing page', open)
  await expect.poll(() => panel.getByText('Grace Hopper joined').isVisible()).toBe(true)
  shots.chat = await shot(page)
  expect(problems.errors).toEqual([])
  return { shots, topmost: top, styles }
}

/** Every computed style of every host element (the widget's own element excluded). */
function hostStyles(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {
      'document style sheets': `${document.styleSheets.length} + ${document.adoptedStyleSheets.length} adopted`,
    }
    const all = [...document.querySelectorAll('*')].filter((el) => !el.closest('suportra-widget'))
    all.forEach((el, i) => {
      const style = getComputedStyle(el)
      for (const name of style)
        out[`${i} ${el.tagName.toLowerCase()}#${el.id} ${name}`] = style.getPropertyValue(name)
    })
    return out
  })
}

/** The host page's computed styles with widget.js blocked: the page as it is without Suportra. */
async function hostStylesWithout(css: string): Promise<Record<string, string>> {
  const { page } = await stack.open('about:blank')
  await page.route('**/widget.js', (route) => route.abort())
  await page.goto(`${pageUrl}/?css=${css}`)
  return hostStyles(page)
}

const walked: Record<string, Walkthrough> = {}

describe.each(SHEETS)('a host page with %s.css', (sheet) => {
  test('the widget looks and works as on a clean page and stays above the page', async () => {
    const reference = await clean()
    const hostile = await walkthrough(sheet)
    walked[sheet] = hostile
    const diffs = Object.fromEntries(
      Object.entries(hostile.shots).map(([region, png]) => {
        const expected = reference.shots[region as keyof Walkthrough['shots']] as Buffer
        const box = regions[region === 'launcher' ? 'launcher' : 'panel'] as Box
        const share = pixelDiff(crop(decodePng(png), box), crop(decodePng(expected), box), TOLERANCE)
        if (share > MAX_DIFF && process.env.HARDENING_SHOTS) {
          writeFileSync(`${process.env.HARDENING_SHOTS}/${sheet}-${region}.png`, png)
          writeFileSync(`${process.env.HARDENING_SHOTS}/clean-${region}.png`, expected)
        }
        return [region, share]
      }),
    )
    const covered = hostile.topmost.filter((what) => what !== 'widget')
    const pixels = Object.entries(diffs).map(([region, share]) => `${region} ${(share * 100).toFixed(2)}%`)
    if (!hostile.shots.chat) pixels.push('chat not reached')
    summary.push(
      `${sheet}: differing pixels ${pixels.join(', ')}; ${covered.length}/${hostile.topmost.length} points covered`,
    )
    expect(covered).toEqual([])
    for (const share of Object.values(diffs)) expect(share).toBeLessThanOrEqual(MAX_DIFF)
    // Two whole walkthroughs (the clean page's, once, and this one), each a session with the real server.
  }, 60_000)

  test('the widget changes no computed style of the host page', async () => {
    const withWidget = (walked[sheet] ?? (await walkthrough(sheet))).styles
    const without = await hostStylesWithout(sheet)
    const changed = Object.keys(without).filter((key) => without[key] !== withWidget[key])
    summary.push(`${sheet}: ${Object.keys(without).length} host styles compared, ${changed.length} changed`)
    expect(changed.slice(0, 10).map((key) => `${key}: ${without[key]} → ${withWidget[key]}`)).toEqual([])
    expect(Object.keys(withWidget).length).toBe(Object.keys(without).length)
  })
})

// Failure isolation: when widget.js cannot load, or the Suportra server cannot be reached, the host page
// keeps working and every Suportra(...) call returns at once without throwing.
import type { Page, Route } from 'playwright-core'
import { afterAll, beforeAll, type ExpectStatic, expect, test } from 'vitest'
import { panelOf, type Stack, startStack } from './support/stack.js'

let stack: Stack
const report: string[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  for (const line of report) console.log(`[hardening] Failure isolation: ${line}`)
  await stack.close()
})

/** Every command a vendor may call, timed one by one in the page. */
function callEverything(page: Page) {
  return page.evaluate(() => {
    const suportra = (window as unknown as { Suportra(...args: unknown[]): unknown }).Suportra
    const calls: unknown[][] = [
      ['on', 'unread', () => {}],
      ['setContext', { url: location.href, error: 'TypeError: x is undefined' }],
      ['identify', { token: 'not-a-real-token' }],
      ['open', { tool: 'cursor', topic: 'Build fails', context: { url: location.href } }],
      ['close'],
      ['toggle'],
      ['signOut'],
      ['no-such-command'],
      ['open'],
    ]
    const out: { call: string; ms: number; threw?: string; returned: string }[] = []
    for (const args of calls) {
      const start = performance.now()
      try {
        const returned = suportra(...args)
        out.push({ call: String(args[0]), ms: performance.now() - start, returned: typeof returned })
      } catch (error) {
        out.push({
          call: String(args[0]),
          ms: performance.now() - start,
          threw: String(error),
          returned: 'threw',
        })
      }
    }
    return out
  })
}

/** The page's own button still works (two clicks, two counts), and how far the page got in loading. */
async function hostWorks(page: Page, expect: ExpectStatic) {
  const clicks = async () => Number((await page.locator('#counter').textContent())?.match(/\d+/)?.[0])
  const before = await clicks()
  await page.locator('#counter').click()
  await page.locator('#counter').click()
  expect(await clicks()).toBe(before + 2)
  return page.evaluate(() => document.readyState)
}

const SCENARIOS: [name: string, setup: (page: Page, api: string) => Promise<unknown>, widgetSrc?: string][] =
  [
    [
      'widget.js answers 404',
      (page) => page.route('**/widget.js', (r) => r.fulfill({ status: 404, body: 'Not found' })),
    ],
    [
      'widget.js is blocked (an ad blocker)',
      (page) => page.route('**/widget.js', (r) => r.abort('blockedbyclient')),
    ],
    ['widget.js never answers', (page) => page.route('**/widget.js', () => new Promise<void>(() => {}))],
    ['the Suportra server is down (connection refused)', async () => {}, 'http://127.0.0.1:9/widget.js'],
    [
      'widget.js loads but the widget itself fails to (404)',
      (page) => page.route('**/widget/app.js', (r) => r.fulfill({ status: 404, body: 'Not found' })),
    ],
    [
      'the widget loads but the API is unreachable',
      async (page, api) => {
        await page.route(`${api}/v1/**`, (r: Route) => r.abort('connectionrefused'))
        await page.routeWebSocket(/\/v1\/realtime/, (ws) => ws.close())
      },
    ],
  ]

// The scenarios mostly wait, so they run side by side (each asserts with its own `expect`).
test.concurrent.for(SCENARIOS)(
  '%s: the page works and Suportra(...) neither throws nor blocks',
  async ([name, setup, widgetSrc], { expect }) => {
    const host = await stack.host(widgetSrc ? { widgetSrc } : {})
    const context = await stack.browser.newContext()
    const page = await context.newPage()
    const uncaught: string[] = []
    page.on('pageerror', (error) => uncaught.push(error.message))
    await setup(page, stack.server.url)
    const started = Date.now()
    await page.goto(host.url, { waitUntil: 'domcontentloaded' })
    const interactive = Date.now() - started
    await page.waitForTimeout(300) // the loader's idle load, if it runs
    const readyState = await hostWorks(page, expect)
    const calls = await callEverything(page)
    await page.waitForTimeout(500) // anything the calls set off
    expect(await hostWorks(page, expect)).toBe(readyState)

    const slowest = Math.max(...calls.map((c) => c.ms))
    report.push(
      `${name}: page interactive in ${interactive} ms (readyState ${readyState}); ${calls.length} Suportra calls, ` +
        `slowest ${slowest.toFixed(1)} ms, ${calls.filter((c) => c.threw).length} threw, ${uncaught.length} uncaught errors`,
    )
    expect(calls.filter((c) => c.threw)).toEqual([])
    // Nothing that could reject later: the stub returns the queue length, the widget undefined.
    expect(calls.filter((c) => !['undefined', 'number'].includes(c.returned))).toEqual([])
    expect(slowest).toBeLessThan(50)
    expect(uncaught).toEqual([])
    if (name.startsWith('the widget loads but the API')) {
      // The widget says so instead of spinning: sign-in explains the server cannot be reached.
      const panel = panelOf(page)
      await panel.getByLabel('Email').fill('someone@example.com')
      await panel.getByLabel('Password').fill('whatever-password')
      await panel.getByRole('button', { name: 'Sign in' }).click()
      await expect
        .poll(() => panel.getByRole('alert').textContent())
        .toBe('Suportra cannot be reached right now.')
    }
    await context.close()
  },
)

test('after widget/app.js failed to load, the next click loads it (the failure is not cached)', async () => {
  const host = await stack.host({ load: 'interaction' })
  const { page } = await stack.open(host.url)
  let failing = true
  let requests = 0
  await page.route('**/widget/app.js*', (route) => {
    requests++
    return failing ? route.fulfill({ status: 503, body: 'Unavailable' }) : route.continue()
  })
  await page.getByRole('button', { name: 'Ask a human' }).click()
  await page.waitForTimeout(300)
  expect(await panelOf(page).count()).toBe(0)
  const failedRequests = requests
  failing = false
  await page.getByRole('button', { name: 'Ask a human' }).click()
  const loaded = await panelOf(page)
    .getByLabel('Email')
    .waitFor({ timeout: 3_000 })
    .then(
      () => true,
      () => false,
    )
  report.push(
    `retry after widget/app.js failed: ${failedRequests} failed requests, then ${requests - failedRequests} more on the next click; ` +
      `the widget ${loaded ? 'loaded' : 'did not load'}`,
  )
  expect(loaded).toBe(true)
})

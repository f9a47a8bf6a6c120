// The script-tag loader in Chromium: what a host page pays before anyone acts (nothing but the loader,
// no storage, no cookie, no connection), when the widget loads (on intent by default, when idle with
// data-load="idle"), its placeholder launcher, and the tag's data-* options.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO } from '@suportra/server/testing'
import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { axe } from '../hardening/support/axe.js'
import { STRICT_CSP } from '../support/csp.js'
import { setupSites } from '../support/sites.js'

const root = fileURLToPath(new URL('.', import.meta.url))
const sites = setupSites({ closeAfterEach: true })

/** The widget's own files: the loader, the entry, its hashed chunks (and CSS, were there any). */
const WIDGET_FILE = /\/widget(\.js|\/[\w.-]+\.(js|css))(\?[\w=]*)?$/
/** How long "the page has settled" is given: well past the load event and any idle callback. */
const SETTLE_MS = 1_500

interface Traffic {
  requests: string[]
  sockets: string[]
}

/** Records every request and WebSocket of the page from its first byte. */
function watchTraffic(page: Page): Traffic {
  const traffic: Traffic = { requests: [], sockets: [] }
  page.on('request', (request) => traffic.requests.push(request.url()))
  page.on('websocket', (socket) => traffic.sockets.push(socket.url()))
  return traffic
}

/**
 * A copy of the example whose page is changed by `edit` (the page must come from the host server: a
 * page fulfilled by a route counts as public, and Chromium then refuses it the loopback API).
 */
async function exampleWith(edit: (html: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'suportra-example-'))
  sites.defer(() => rm(dir, { recursive: true, force: true }))
  for (const file of ['host.js', 'styles.css']) await cp(join(root, file), join(dir, file))
  await writeFile(join(dir, 'index.html'), edit(await readFile(join(root, 'index.html'), 'utf8')))
  return `${dir}/`
}
const withTagAttributes = (attributes: string) =>
  exampleWith((html) => html.replace('data-app-id="app_demo"', `data-app-id="app_demo" ${attributes}`))

/** Opens the example with traffic recorded; `attributes` go on the widget.js tag. */
async function openExample(options: { attributes?: string; csp?: string } = {}) {
  let traffic: Traffic = { requests: [], sockets: [] }
  const dir = options.attributes ? await withTagAttributes(options.attributes) : root
  const site = await sites.open(dir, {
    csp: options.csp,
    beforeLoad: (page) => {
      traffic = watchTraffic(page)
    },
  })
  await site.page.waitForLoadState('load')
  return { ...site, traffic }
}

/** Everything the page could have stored: both storages, cookies (also HttpOnly ones), IndexedDB. */
async function stored(page: Page, context: BrowserContext) {
  const inPage = await page.evaluate(async () => ({
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    documentCookie: document.cookie,
    indexedDB: (await indexedDB.databases()).map((db) => db.name),
  }))
  return { ...inPage, cookies: (await context.cookies()).map((cookie) => cookie.name) }
}
const NOTHING_STORED = {
  localStorage: [],
  sessionStorage: [],
  documentCookie: '',
  indexedDB: [],
  cookies: [],
}

const placeholder = (page: Page) => page.locator('suportra-widget button:not(.launcher)')
/** The launcher the widget itself renders: proof that its code has loaded and booted. */
const widgetLauncher = (page: Page) => page.locator('suportra-widget .launcher')
const requested = (traffic: Traffic, path: RegExp) => traffic.requests.filter((url) => path.test(url))

/** What the page asked for on the Suportra server and on its own origin. */
function requestsByOrigin(traffic: Traffic, pageUrl: string) {
  const api = new URL(sites.server.url).origin
  const own = new URL(pageUrl).origin
  return {
    apiOtherThanWidgetFiles: traffic.requests.filter(
      (url) => new URL(url).origin === api && !WIDGET_FILE.test(new URL(url).pathname),
    ),
    ownOrigin: traffic.requests
      .filter((url) => new URL(url).origin === own)
      .map((url) => new URL(url).pathname),
    elsewhere: traffic.requests.filter((url) => ![api, own].includes(new URL(url).origin)),
  }
}

describe('before anyone acts', () => {
  test('by default the page gets the loader and its placeholder launcher, and the widget waits for intent', async () => {
    const { page, traffic } = await openExample()
    await placeholder(page).waitFor()
    // Commands that can wait for the widget only queue (host.js has already called `on`).
    await page.evaluate(() => {
      const suportra = (window as unknown as { Suportra(...args: unknown[]): void }).Suportra
      suportra('setContext', { url: location.href })
      suportra('close')
      suportra('off', 'open', () => {})
    })
    await page.waitForTimeout(SETTLE_MS)

    expect(requested(traffic, /\/widget\/app\.js/)).toEqual([])
    expect(requested(traffic, WIDGET_FILE)).toEqual([`${sites.server.url}/widget.js`])
    expect(await widgetLauncher(page).count()).toBe(0)

    // Reaching for the launcher (hover) is what loads it.
    await placeholder(page).hover()
    await widgetLauncher(page).waitFor()
    expect(requested(traffic, /\/widget\/app\.js/)).toHaveLength(1)
  })

  test('when the widget failed to load, reaching for the launcher again retries', async () => {
    const { page, traffic } = await openExample()
    let failing = true
    await page.route('**/widget/app.js*', (route) =>
      failing ? route.fulfill({ status: 503, body: 'Unavailable' }) : route.continue(),
    )
    await placeholder(page).hover()
    await expect.poll(() => requested(traffic, /\/widget\/app\.js/).length).toBe(1)
    await page.waitForTimeout(300)
    expect(await widgetLauncher(page).count()).toBe(0)

    failing = false
    await page.mouse.move(0, 0)
    await placeholder(page).hover()
    await widgetLauncher(page).waitFor()
    expect(requested(traffic, /\/widget\/app\.js\?retry=1$/)).toHaveLength(1)
  })

  test('with data-load="idle" the widget loads when the page is idle, without any interaction', async () => {
    const { page, traffic } = await openExample({ attributes: 'data-load="idle"' })
    await widgetLauncher(page).waitFor()
    expect(requested(traffic, /\/widget\/app\.js/)).toHaveLength(1)
  })

  test.each([
    ['loaded on intent (hover), the default', '', true],
    ['preloaded when idle (data-load="idle")', 'data-load="idle"', false],
  ])('the widget, %s and booted, has stored nothing and connected nowhere', async (_, attributes, hover) => {
    const { page, context, traffic, url, problems } = await openExample({ attributes })
    if (hover) await placeholder(page).hover()
    await widgetLauncher(page).waitFor()
    await page.waitForTimeout(SETTLE_MS)

    expect(await stored(page, context)).toEqual(NOTHING_STORED)
    expect(traffic.sockets).toEqual([])
    expect(requestsByOrigin(traffic, url)).toEqual({
      apiOtherThanWidgetFiles: [],
      ownOrigin: ['/', '/styles.css', '/host.js'],
      elsewhere: [],
    })
    expect(problems.errors).toEqual([])
  })
})

describe('consent: storage and connections begin with the user', () => {
  test('opening the widget stores and connects nothing; signing in does (and still no cookie)', async () => {
    const { page, context, traffic } = await openExample()
    await page.getByRole('button', { name: 'Ask a human', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Talk to a builder' })
    await dialog.getByLabel('Email').waitFor()
    await page.waitForTimeout(SETTLE_MS)
    expect(await stored(page, context)).toEqual(NOTHING_STORED)
    expect(traffic.sockets).toEqual([])

    await dialog.getByLabel('Email').fill(DEMO.user.email)
    await dialog.getByLabel('Password').fill(DEMO.user.password)
    await dialog.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => traffic.sockets.length).toBeGreaterThan(0)
    expect(traffic.sockets.every((url) => url.startsWith(sites.server.url.replace(/^http/, 'ws')))).toBe(true)
    const after = await stored(page, context)
    expect(after.localStorage.length).toBeGreaterThan(0)
    expect({ ...after, localStorage: [] }).toEqual(NOTHING_STORED)
  })

  test("the vendor's identify() call is what stores the sign-in and connects", async () => {
    const { page, context, traffic } = await openExample()
    await placeholder(page).hover()
    await widgetLauncher(page).waitFor()
    await page.waitForTimeout(SETTLE_MS)
    expect(await stored(page, context)).toEqual(NOTHING_STORED)
    expect(traffic.sockets).toEqual([])

    await page.getByRole('button', { name: 'Sign in as Linus (vendor account)' }).click()
    await expect.poll(() => traffic.sockets.length).toBeGreaterThan(0)
    expect((await stored(page, context)).localStorage.length).toBeGreaterThan(0)
    expect((await stored(page, context)).cookies).toEqual([])
  })
})

describe('the placeholder launcher', () => {
  test.each([
    ['English (the browser)', '', 'Ask a human'],
    ['German (data-locale="de")', 'data-locale="de"', 'Mit einem Menschen sprechen'],
    ['Arabic, mirrored (data-locale="ar")', 'data-locale="ar"', 'تحدّث مع إنسان'],
    ['on the left (data-position="left")', 'data-position="left"', 'Ask a human'],
  ])(
    '%s: says and sits where the widget will, so nothing moves when it takes over',
    async (_, attributes, label) => {
      const { page } = await openExample({ attributes })
      const before = placeholder(page)
      await before.waitFor()
      expect(await before.textContent()).toBe(label)
      const box = await before.boundingBox()

      await before.hover()
      await widgetLauncher(page).waitFor()
      const after = await widgetLauncher(page).boundingBox()
      expect(await widgetLauncher(page).textContent()).toBe(label)
      for (const key of ['x', 'y', 'width', 'height'] as const) {
        expect(Math.abs((after?.[key] ?? 0) - (box?.[key] ?? -99)), key).toBeLessThanOrEqual(1)
      }
    },
  )

  test.each(['', 'data-locale="ar"'])(
    'axe finds nothing wrong with it before the widget loads (%s)',
    async (attributes) => {
      const { page } = await openExample({ attributes })
      await placeholder(page).waitFor()
      const violations = await axe(page, 'widget')
      expect(await widgetLauncher(page).count()).toBe(0) // it was the placeholder that axe saw
      expect(violations).toEqual([])
    },
  )

  test('under a strict CSP it is styled, announced as opening a dialog, reached by Tab and opens the widget by keyboard', async () => {
    const { page, problems } = await openExample({ csp: STRICT_CSP })
    const button = placeholder(page)
    await button.waitFor()
    expect(
      await button.evaluate((el) => {
        const style = getComputedStyle(el)
        return [style.position, style.backgroundColor, el.getAttribute('aria-haspopup'), el.ariaExpanded]
      }),
    ).toEqual(['fixed', 'rgb(79, 70, 229)', 'dialog', 'false'])

    // Tab through the page until the placeholder has focus (focus loads the widget, which keeps it).
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab')
      const focused = await page.evaluate(() => document.activeElement?.localName === 'suportra-widget')
      if (focused) break
    }
    await widgetLauncher(page).waitFor()
    await page.keyboard.press('Enter')
    await page.getByRole('dialog', { name: 'Talk to a builder' }).getByLabel('Email').waitFor()
    expect(problems.csp).toEqual([])
    expect(problems.errors).toEqual([])
  })
})

describe('the data-* options, from a real script tag', () => {
  const CDN = 'http://cdn.suportra.test'
  const dist = fileURLToPath(new URL('../../packages/widget/dist/cdn/', import.meta.url))

  /** Serves the built widget from its own origin, as a CDN would (CORS open, for the module import). */
  const serveCdn = (page: Page, traffic: string[]) =>
    page.route(`${CDN}/**`, async (route) => {
      const path = new URL(route.request().url()).pathname
      traffic.push(path)
      const body = await readFile(`${dist}${path.slice(1)}`).catch(() => undefined)
      await route.fulfill(
        body
          ? {
              body,
              contentType: 'text/javascript',
              headers: { 'access-control-allow-origin': '*' },
            }
          : { status: 404, body: 'Not found' },
      )
    })

  test('data-base-url (API elsewhere than the script), data-locale="de" and data-open are honoured', async () => {
    const cdnTraffic: string[] = []
    let traffic: Traffic = { requests: [], sockets: [] }
    const dir = await exampleWith((html) =>
      html.replace(
        /<script async src="[^"]*\/widget\.js" data-app-id="app_demo"><\/script>/,
        `<script async src="${CDN}/widget.js" data-app-id="app_demo" data-base-url="${sites.server.url}" data-locale="de" data-open></script>`,
      ),
    )
    const { page, problems } = await sites.open(dir, {
      beforeLoad: async (page) => {
        traffic = watchTraffic(page)
        await serveCdn(page, cdnTraffic)
      },
    })

    // data-open: the panel is open without a click; data-locale: in German.
    const dialog = page.getByRole('dialog', { name: 'Mit einem Builder sprechen' })
    await dialog.getByLabel('E-Mail').waitFor()

    // data-base-url: signing in goes to the API's origin, the script's origin serves only files.
    await dialog.getByLabel('E-Mail').fill(DEMO.user.email)
    await dialog.getByLabel('Passwort').fill(DEMO.user.password)
    await dialog.getByRole('button', { name: 'Anmelden' }).click()
    await expect.poll(() => dialog.getByRole('button', { name: 'Sitzung starten' }).isVisible()).toBe(true)
    expect(cdnTraffic.every((path) => WIDGET_FILE.test(path))).toBe(true)
    expect(cdnTraffic).toContain('/widget.js')
    expect(
      traffic.requests.filter((url) => url.startsWith(`${sites.server.url}/v1/auth/sign-in`)),
    ).toHaveLength(1)
    expect(
      traffic.requests.filter((url) => url.startsWith(sites.server.url) && WIDGET_FILE.test(url)),
    ).toEqual([])
    expect(problems.errors).toEqual([])
  })
})

describe('commands queued before the script loaded', () => {
  test('on("ready") made before widget.js loaded is called once the widget boots', async () => {
    const site = await sites.open(root, {
      // The vendor's snippet runs first: its queue holds the listener before the loader exists.
      beforeLoad: (page) =>
        page.addInitScript(() => {
          const win = window as unknown as { Suportra: ((...args: unknown[]) => void) & { q: unknown[][] } }
          win.Suportra = Object.assign((...args: unknown[]) => win.Suportra.q.push(args), { q: [] })
          ;(window as unknown as { readyCalls: number }).readyCalls = 0
          win.Suportra('on', 'ready', () => {
            ;(window as unknown as { readyCalls: number }).readyCalls++
          })
        }),
    })
    const { page } = site
    await placeholder(page).hover()
    await widgetLauncher(page).waitFor()
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { readyCalls: number }).readyCalls))
      .toBe(1)
    // Opening it later does not call it again.
    await widgetLauncher(page).click()
    await page.getByRole('dialog').waitFor()
    expect(await page.evaluate(() => (window as unknown as { readyCalls: number }).readyCalls)).toBe(1)
    expect(site.problems.errors).toEqual([])
  })
})

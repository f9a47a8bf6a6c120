import type { StartOptions } from '@suportra/server'
import { startTestServer, type TestServer } from '@suportra/server/testing'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { startHostServer } from '../host-server.mjs'
import { launchBrowser, type PageProblems, watchProblems } from './browser.js'

export interface OpenedSite {
  page: Page
  /** The page's browser context: its own storage; more tabs of the same site open from it. */
  context: BrowserContext
  problems: PageProblems
  /** The site's address. */
  url: string
}

export interface Sites {
  /** The real server, on a random port with a fresh database. */
  readonly server: TestServer
  readonly browser: Browser
  /** Serves `root` on its own origin (optionally under a CSP) and opens it in a fresh browser context. */
  open(
    root: string,
    options?: {
      csp?: string | undefined
      /** Runs on the new page before it navigates (listeners that must hear the first request, routes). */
      beforeLoad?: (page: Page) => unknown
      /** A path on the site (default `/`). */
      path?: string
    },
  ): Promise<OpenedSite>
  /** Runs `close` with the sites (after the test, or after the file). */
  defer(close: () => unknown): void
}

/**
 * For a browser test file: starts the server and Chromium before its tests and closes everything
 * after them. Opened sites are closed after each test with `closeAfterEach`, else after the file.
 */
export function setupSites(options: { closeAfterEach?: boolean; server?: StartOptions } = {}): Sites {
  const closers: (() => unknown)[] = []
  const closeSites = async () => {
    for (const close of closers.splice(0).reverse()) await close()
  }
  let server: TestServer | undefined
  let browser: Browser | undefined
  const started = <T>(value: T | undefined): T => {
    if (!value) throw new Error('setupSites: used before its beforeAll ran')
    return value
  }

  beforeAll(async () => {
    server = await startTestServer(options.server)
    browser = await launchBrowser()
  })
  if (options.closeAfterEach) afterEach(closeSites)
  afterAll(async () => {
    await closeSites()
    await browser?.close()
    await server?.close()
  })

  return {
    get server() {
      return started(server)
    },
    get browser() {
      return started(browser)
    },
    async open(root, { csp, beforeLoad, path = '/' } = {}) {
      const host = await startHostServer({ root, apiUrl: started(server).url, ...(csp && { csp }) })
      const context = await started(browser).newContext()
      context.setDefaultTimeout(10_000)
      closers.push(
        () => host.close(),
        () => context.close(),
      )
      const page = await context.newPage()
      const problems = await watchProblems(page)
      await beforeLoad?.(page)
      await page.goto(new URL(path, host.url).href)
      return { page, context, problems, url: host.url }
    },
    defer(close) {
      closers.push(close)
    },
  }
}

import { type Browser, chromium, type Page } from 'playwright-core'

/** Debian's Chromium (installed by `node scripts/setup.mjs --browser`), headless, with no network of its own. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  })
}

export interface PageProblems {
  /** `securitypolicyviolation` events (blocked URI and directive). */
  csp: string[]
  /** Uncaught exceptions and console errors. */
  errors: string[]
}

/** Records CSP violations, uncaught errors and console errors on a page, from before its first script. */
export async function watchProblems(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { csp: [], errors: [] }
  await page.exposeFunction('__reportCsp', (text: string) => problems.csp.push(text))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      ;(window as unknown as { __reportCsp(text: string): void }).__reportCsp(
        `${event.violatedDirective} ${event.blockedURI}`,
      )
    })
  })
  page.on('pageerror', (error) => problems.errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.errors.push(message.text())
  })
  return problems
}

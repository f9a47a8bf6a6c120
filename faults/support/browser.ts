import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { type Host, startHost } from '../../examples/hardening/support/host-server.js'
import { launchBrowser } from '../../examples/support/browser.js'
import { DEMO, PASSWORD } from './conversation.js'
import { settle } from './transcript.js'

export { launchBrowser }

/** A vendor's page (the hardening host page, with the script-tag widget) and a Chromium to open it in. */
export async function startBrowserStack(apiUrl: string): Promise<{
  browser: Browser
  host: Host
  close(): Promise<void>
}> {
  const host = await startHost({ apiUrl })
  const browser = await launchBrowser()
  return {
    browser,
    host,
    async close() {
      await browser.close()
      await host.close()
    },
  }
}

/** The open chat panel. */
export const panelOf = (page: Page): Locator => page.getByRole('dialog', { name: 'Talk to a builder' })

/** Waits for `check` (polling), failing with `what` after `ms`. */
export async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  if (!(await settle(() => check().catch(() => false), ms))) throw new Error(`timed out: ${what}`)
}

/**
 * Clicks the launcher until the panel is open. A click on the loader's placeholder button between
 * the widget's boot and its first draw can be lost (see docs/reliability.md); `lostClicks` counts them.
 */
export const lostClicks = { count: 0 }
export async function openFromLauncher(page: Page): Promise<Locator> {
  const panel = panelOf(page)
  for (let attempt = 0; ; attempt++) {
    await page.getByRole('button', { name: 'Ask a human' }).click()
    if (await settle(() => panel.isVisible(), 5_000)) return panel
    if (attempt === 3) throw new Error('the launcher does not open the panel')
    lostClicks.count++
  }
}

/** Opens the widget from its launcher and signs in with email and the demo password. */
export async function signInThroughWidget(page: Page, email: string): Promise<Locator> {
  const panel = await openFromLauncher(page)
  await panel.getByLabel('Email').fill(email)
  await panel.getByLabel('Password').fill(PASSWORD)
  await panel.getByRole('button', { name: 'Sign in' }).click()
  await until('signed in', () => panel.getByRole('button', { name: 'Start session' }).isVisible())
  return panel
}

/** The messages the panel shows, in order: their text (without the "You:" prefix) and state. */
export function shownMessages(page: Page): Promise<{ text: string; status: string }[]> {
  return page.evaluate(() => {
    const root = document.querySelector('suportra-widget')?.shadowRoot
    return [...(root?.querySelectorAll('ol.messages li.message') ?? [])].map((li) => {
      const copy = li.cloneNode(true) as Element
      for (const extra of copy.querySelectorAll('.sr, .state')) extra.remove()
      const status = ['pending', 'failed'].find((s) => li.classList.contains(s)) ?? 'sent'
      return { text: copy.textContent?.trim() ?? '', status }
    })
  })
}

/** The stored sign-in of the demo app in this page's origin, or null (signed out). */
export function storedAuth(page: Page): Promise<string | null> {
  return page.evaluate((key) => localStorage.getItem(key), `suportra:${DEMO.appId}:auth`)
}

/** Counts requests whose path ends with `suffix` in a browser context. */
export function countRequests(context: BrowserContext, method: string, suffix: string): () => number {
  let n = 0
  context.on('request', (request) => {
    if (request.method() === method && new URL(request.url()).pathname.endsWith(suffix)) n++
  })
  return () => n
}

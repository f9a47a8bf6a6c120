// What every hardening test file needs: the real server, one Chromium, the demo builder as a Node
// client, host servers, and the steps a user takes in the widget.
import { createClient, memoryStorage, type SessionHandle, type SuportraClient } from '@suportra/client'
import type { StartOptions } from '@suportra/server'
import { createUser, DEMO, startTestServer, type TestServer } from '@suportra/server/testing'
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core'
import { expect, vi } from 'vitest'
import WebSocket from 'ws'
import { launchBrowser, type PageProblems, watchProblems } from '../../support/browser.js'
import { type Host, type HostOptions, startHost } from './host-server.js'

export interface Stack {
  server: TestServer
  browser: Browser
  /** The demo builder, signed in from Node. */
  builder: SuportraClient
  /** Starts a host server for the hardening pages (closed with the stack). */
  host(options?: Omit<HostOptions, 'apiUrl'>): Promise<Host>
  /** A page in a fresh browser context, watched for CSP violations and errors. */
  open(url: string, options?: BrowserContextOptions): Promise<{ page: Page; problems: PageProblems }>
  /** A new user with credits (password: the demo password). */
  user(credits?: number): Promise<{ email: string; token: string; id: string }>
  /** The builder claims the newest waiting session with this topic and keeps its transcript live. */
  claim(topic: string): Promise<SessionHandle>
  close(): Promise<void>
}

/** Starts the server (sending rate limits raised: tests send in bulk), the browser and the builder. */
export async function startStack(options: StartOptions = {}): Promise<Stack> {
  // Waits in these files cross a browser, a server and sockets on a shared 2-core machine: give
  // expect.poll the same 10 s the pages get, instead of its 1 s default.
  vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 50 } } })
  const server = await startTestServer({
    rateLimits: { send: { points: 100_000, duration: 60 }, auth: { points: 10_000, duration: 60 } },
    ...options,
  })
  const browser = await launchBrowser()
  const builder = createClient({
    baseUrl: server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
  })
  await builder.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
  const closers: (() => unknown)[] = []
  return {
    server,
    browser,
    builder,
    async host(hostOptions = {}) {
      const host = await startHost({ apiUrl: server.url, ...hostOptions })
      closers.push(() => host.close())
      return host
    },
    async open(url, contextOptions = {}) {
      const context = await browser.newContext(contextOptions)
      context.setDefaultTimeout(10_000)
      closers.push(() => context.close())
      const page = await context.newPage()
      const problems = await watchProblems(page)
      await page.goto(url)
      return { page, problems }
    },
    async user(credits = 3) {
      const { user, accessToken } = await createUser(server, { credits })
      return { email: user.email ?? '', token: accessToken, id: user.id }
    },
    async claim(topic) {
      let waiting: { id: string } | undefined
      await expect
        .poll(async () => {
          waiting = (await builder.builder.refresh()).filter((s) => s.topic === topic).at(-1)
          return waiting !== undefined
        })
        .toBe(true)
      const handle = await builder.builder.claim(waiting?.id ?? '')
      closers.push(handle.$messages.listen(() => {}))
      return handle
    },
    async close() {
      for (const close of closers.splice(0).reverse()) await close()
      builder.destroy()
      await browser.close()
      await server.close()
    },
  }
}

/** The open chat panel. */
export const panelOf = (page: Page): Locator => page.getByRole('dialog', { name: 'Talk to a builder' })

/** How a test opens the widget: the launcher by default. */
export type Opener = (page: Page) => Promise<unknown>
export const byLauncher: Opener = (page) => page.getByRole('button', { name: 'Ask a human' }).click()
/** The vendor's own button: `Suportra('open')`. */
export const byApi: Opener = (page) =>
  page.evaluate(() => (window as unknown as { Suportra(...args: unknown[]): void }).Suportra('open'))

/** Opens the widget (from its launcher unless told) and signs in with email and password. */
export async function signInThroughWidget(page: Page, email: string, open = byLauncher): Promise<Locator> {
  await open(page)
  const panel = panelOf(page)
  await panel.getByLabel('Email').fill(email)
  await panel.getByLabel('Password').fill(DEMO.user.password)
  await panel.getByRole('button', { name: 'Sign in' }).click()
  await expect.poll(() => panel.getByRole('button', { name: 'Start session' }).isVisible()).toBe(true)
  return panel
}

/** Describes the blocker, starts the session and waits for the queue. */
export async function startSession(panel: Locator, topic: string): Promise<void> {
  await panel.getByLabel('Describe the blocker').fill(topic)
  await panel.getByRole('button', { name: 'Start session' }).click()
  await expect.poll(() => panel.getByText('Waiting for a builder').isVisible()).toBe(true)
}

/** Sends from the widget's composer with Enter. */
export async function sendFromWidget(panel: Locator, text: string): Promise<void> {
  const composer = panel.getByLabel('Write a message')
  await composer.fill(text)
  await composer.press('Enter')
}

/** Waits until the builder's live transcript has a message with this body. */
export async function builderSees(handle: SessionHandle, body: string): Promise<void> {
  await expect
    .poll(() => handle.$messages.get().some((m) => m.body === body && m.seq !== null), { timeout: 10_000 })
    .toBe(true)
}

/** A whole session in the widget: sign in, start, the builder claims and replies, the user answers. */
export async function chatThroughWidget(
  stack: Stack,
  page: Page,
  topic: string,
  open = byLauncher,
): Promise<{ panel: Locator; handle: SessionHandle }> {
  const { email } = await stack.user()
  const panel = await signInThroughWidget(page, email, open)
  await startSession(panel, topic)
  const handle = await stack.claim(topic)
  await handle.send(
    'Which step fails? Try:\n```sh\nnpm run build -- --debug\n```\nDocs: https://example.com/docs',
  )
  await expect.poll(() => panel.getByText('Which step fails? Try:').isVisible()).toBe(true)
  await sendFromWidget(panel, 'The **build** step, see `next.config.js`')
  await builderSees(handle, 'The **build** step, see `next.config.js`')
  await expect.poll(() => panel.getByText('Sending…').count()).toBe(0)
  return { panel, handle }
}

/** The element that really has focus, looking through shadow roots. */
export function deepActive(page: Page): Promise<string> {
  return page.evaluate(() => {
    let active = document.activeElement
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement
    if (!active) return 'none'
    // Roughly the accessible name: aria-label, else the label's text, else the text (hidden parts left out).
    const named = (active as HTMLInputElement).labels?.[0] ?? active
    const copy = named.cloneNode(true) as Element
    for (const hidden of copy.querySelectorAll('[aria-hidden="true"],input,textarea,select')) hidden.remove()
    const label = active.getAttribute('aria-label') ?? copy.textContent?.trim().slice(0, 30)
    return `${active.tagName.toLowerCase()}${active.closest('[role=dialog]') ? ' (panel)' : ''}: ${label}`
  })
}

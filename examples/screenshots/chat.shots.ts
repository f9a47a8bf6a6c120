// The chat as people meet it, on the script-tag demo page (examples/script-tag), in English, Arabic
// and German: the new-session form prefilled by "Ask a human about this error", the chat with the
// page's context and a builder reply at 1366×768 and 375×667 (the context card collapsed and
// expanded), the chat with the largest context the protocol allows, the choice shown when the vendor
// opens the widget with a new context during a session, and the rating. Writes
// screenshots/chat-<screen>-<language>-<width>x<height>.png.
import { fileURLToPath } from 'node:url'
import { createClient, memoryStorage, type SessionHandle, type SuportraClient } from '@suportra/client'
import { api, DEMO, grantCredits, signIdentityToken } from '@suportra/server/testing'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'
import { largestContext } from '../hardening/support/largest-context.js'
import { startHostServer } from '../host-server.mjs'
import { setupSites } from '../support/sites.js'
import { shotPath } from './shot-path.js'

const demoPage = fileURLToPath(new URL('../script-tag/', import.meta.url))
const DESKTOP = { width: 1366, height: 768 }
const PHONE = { width: 375, height: 667 }

const sites = setupSites()
let builder: SuportraClient
const written: string[] = []

beforeAll(async () => {
  builder = createClient({
    baseUrl: sites.server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
  })
  await builder.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
})
afterAll(() => {
  builder.destroy()
  console.log(`[screenshots] ${written.length} PNGs:\n  ${written.join('\n  ')}`)
})

type Suportra = (...args: unknown[]) => void
const suportra = (page: Page, ...args: unknown[]) =>
  page.evaluate((args) => (window as unknown as { Suportra: Suportra }).Suportra(...args), args)

/** Waits for fonts, layout and the panel's opening animation, then writes the page. */
async function shoot(page: Page, name: string) {
  await page.evaluate(() => document.fonts.ready)
  await page.waitForTimeout(250)
  const path = shotPath(name, page)
  await page.screenshot({ path })
  written.push(path)
}

/** The builder claims the newest waiting session with this topic. */
async function claim(topic: string): Promise<SessionHandle> {
  let id: string | undefined
  await expect
    .poll(async () => (id = (await builder.builder.refresh()).filter((s) => s.topic === topic).at(-1)?.id))
    .toBeDefined()
  const handle = await builder.builder.claim(id ?? '')
  sites.defer(handle.$messages.listen(() => {}))
  return handle
}

/** The demo page in a browser whose language is `language` (the widget follows it). */
async function openDemo(language: string): Promise<Page> {
  const host = await startHostServer({ root: demoPage, apiUrl: sites.server.url })
  sites.defer(() => host.close())
  const context = await sites.browser.newContext({
    locale: language,
    viewport: DESKTOP,
    reducedMotion: 'reduce',
  })
  sites.defer(() => context.close())
  const page = await context.newPage()
  await page.goto(host.url)
  return page
}

/** A vendor-identified user (so no sign-in form stands in the way), with credits. */
async function vendorUser(sub: string) {
  const token = await signIdentityToken({ sub, name: 'Linus' })
  const signedIn = await api(sites.server.url, 'POST', '/v1/auth/identify', {
    app: DEMO.appId,
    body: { token },
  })
  await grantCredits(sites.server, signedIn.body.user.id, 5)
  return token
}

test.each(['en', 'ar', 'de'])('the chat with context, %s', async (language) => {
  const token = await vendorUser(`shots-${language}`)
  const tab = await openDemo(language)
  const panel = tab.locator('suportra-widget .panel')

  // "Ask a human about this error" on the demo page: the form is prefilled (tool, topic, context).
  await suportra(tab, 'identify', { token })
  await tab.getByRole('button', { name: 'Ask a human about this error' }).click()
  await expect.poll(() => panel.locator('textarea[name=topic]').inputValue()).toContain('Hydration error')
  await expect.poll(() => panel.locator('select[name=tool]').inputValue()).toBe('v0')
  await shoot(tab, `chat-new-session-prefilled-${language}`)

  // Started; the builder answers.
  await panel.locator('button[type=submit]').click()
  const topic = await panel.locator('.about strong').textContent()
  const handle = await claim(topic ?? '')
  await handle.send(
    'Your page renders the date on the server and again in the browser, so the two never match.',
  )
  await handle.send({
    text: 'Render it on the client only, after the first paint:',
    code: {
      language: 'tsx',
      content:
        "'use client'\nconst [now, setNow] = useState<Date>()\nuseEffect(() => setNow(new Date()), [])\nreturn <p>Today is {now?.toLocaleString() ?? '…'}</p> // the server renders the placeholder, the browser the date",
    },
  })
  const last = 'That removes the mismatch. Does the error go away?'
  await handle.send(last)
  await panel.getByText(last).waitFor()
  await shoot(tab, `chat-context-collapsed-${language}`)
  await panel.locator('.about button').click()
  await shoot(tab, `chat-context-expanded-${language}`)
  await panel.locator('.about button').click()
  await tab.setViewportSize(PHONE)
  await shoot(tab, `chat-context-collapsed-${language}`)
  await panel.locator('.about button').click()
  await shoot(tab, `chat-context-expanded-${language}`)
  await panel.locator('.about button').click()

  // The vendor opens the widget again with a new context while the session goes on.
  await tab.setViewportSize(DESKTOP)
  await suportra(tab, 'open', {
    topic: 'The build also fails on Vercel',
    context: {
      error: { message: 'Error: Command "pnpm build" exited with 1' },
      url: 'https://vercel.com/linus/app',
    },
  })
  const choice = panel.locator('h3', { hasText: /./ }).first()
  await choice.waitFor()
  await expect.poll(() => panel.locator('.body h3').count()).toBe(1)
  await shoot(tab, `chat-session-going-${language}`)
  await tab.setViewportSize(PHONE)
  await shoot(tab, `chat-session-going-${language}`)
  // Back to the chat; the session ends; the rating.
  await panel.locator('.body nav button').last().click()
  await panel.locator('.about').waitFor()
  await panel.locator('.body nav button').first().click()
  const stars: Locator = panel.locator('.stars label')
  await stars.first().waitFor()
  await shoot(tab, `chat-rate-${language}`)
  await tab.setViewportSize(DESKTOP)
  await stars.nth(3).click()
  await shoot(tab, `chat-rate-${language}`)
})

test.each(['en', 'ar', 'de'])(
  'the chat with the largest context the protocol allows, %s',
  async (language) => {
    const token = await vendorUser(`shots-largest-${language}`)
    const user = createClient({
      baseUrl: sites.server.url,
      appId: DEMO.appId,
      storage: memoryStorage(),
      WebSocket,
    })
    sites.defer(() => user.destroy())
    await user.auth.identify({ token })
    const topic = `Largest context (${language}): the production build fails after upgrading Next.js and nothing in the config changes it`
    await user.sessions.start({
      tool: 'cursor',
      topic,
      context: largestContext('https://app.example.com/editor'),
    })
    const handle = await claim(topic)
    for (let i = 1; i <= 8; i++) await handle.send(`Step ${i}: check the output of the build for warnings`)
    await handle.send({
      text: 'Newest reply: clear the cache, then rebuild',
      code: {
        language: 'sh',
        content: `rm -rf .next node_modules/.cache && pnpm build ${'--flag '.repeat(30)}`,
      },
    })

    const tab = await openDemo(language)
    await suportra(tab, 'identify', { token })
    await suportra(tab, 'open')
    const panel = tab.locator('suportra-widget .panel')
    await panel.getByText('Newest reply').waitFor()
    for (const size of [DESKTOP, PHONE, { width: 320, height: 568 }]) {
      await tab.setViewportSize(size)
      await shoot(tab, `chat-largest-context-${language}`)
    }
    await panel.locator('.about button').click()
    await shoot(tab, `chat-largest-context-expanded-${language}`)
  },
)

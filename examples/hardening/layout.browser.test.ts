// Layout: the chat as people meet it, on the sizes they use (1280×800, 1366×768, 1440×900, 375×667,
// 320×568), with and without the largest context the protocol allows, in all four languages. Checked
// by geometry and elementFromPoint: the newest builder message is on screen and readable without
// scrolling, the message list keeps at least 40% of the panel, and nothing inside the panel is wider
// than the panel (only code scrolls sideways, inside its own block).
import { createClient, memoryStorage, type SuportraClient } from '@suportra/client'
import { grantCredits, signIdentityToken } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'
import { measurePanel, settle } from './support/geometry.js'
import { largestContext } from './support/largest-context.js'
import { type Stack, startStack } from './support/stack.js'

const SIZES = [
  [1280, 800],
  [1366, 768],
  [1440, 900],
  [375, 667],
  [320, 568],
] as const
const LANGUAGES = ['en', 'es', 'de', 'ar'] as const
const VARIANTS = ['without context', 'with the largest context'] as const
/** The share of the panel's height the message list must keep. */
const MIN_LIST_SHARE = 0.4

const NEWEST = 'Newest reply: clear the cache, then rebuild'
const LONG_WORD = `https://example.com/${'very-long-path-segment-'.repeat(12)}end`

let stack: Stack
const clients: SuportraClient[] = []
const report: string[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  for (const line of report) console.log(`[hardening] Layout ${line}`)
  for (const client of clients) client.destroy()
  await stack.close()
})

/**
 * A user (a vendor-identified one: no sign-in form to go through in each language) with a session
 * the builder has claimed and answered: a long topic, a transcript longer than any panel, a long
 * unbroken URL, a code line far wider than the panel, and `NEWEST` as the last message.
 */
async function sessionFor(language: string, variant: (typeof VARIANTS)[number], pageUrl: string) {
  const sub = `layout-${language}-${variant.length}`
  const token = await signIdentityToken({ sub, name: 'Lin Layout' })
  const user = createClient({
    baseUrl: stack.server.url,
    appId: 'app_demo',
    storage: memoryStorage(),
    WebSocket,
  })
  clients.push(user)
  await user.auth.identify({ token })
  await grantCredits(stack.server, user.$user.get()?.id ?? '', 2)
  const topic = `[${language}, ${variant}] The production build fails after upgrading Next.js; the error points at ${LONG_WORD} and nothing I try in the config changes it`
  await user.sessions.start({
    tool: 'cursor',
    topic,
    ...(variant === 'with the largest context' && { context: largestContext(pageUrl) }),
  })
  const builder = await stack.claim(topic)
  for (let i = 1; i <= 12; i++) await builder.send(`Step ${i}: check the output of the build for warnings`)
  await builder.send(`The docs for this are at ${LONG_WORD}`)
  await builder.send({
    text: 'Your config, as I read it:',
    code: { language: 'js', content: `module.exports = { experimental: { ${'option: true, '.repeat(30)}} }` },
  })
  const mine = await user.sessions.get(builder.id).send(`Still failing: ${LONG_WORD}`)
  expect(mine.seq).toBeGreaterThan(0)
  await builder.send({
    text: NEWEST,
    code: {
      language: 'sh',
      content: `rm -rf .next node_modules/.cache && pnpm build ${'--flag '.repeat(40)}`,
    },
  })
  return { token }
}

/** Opens the widget on the hardening page in `language`, signed in as the vendor's user, on the chat. */
async function openChat(language: string, token: string, url: string) {
  const [width, height] = SIZES[0]
  const { page, problems } = await stack.open(url, {
    locale: language,
    viewport: { width, height },
    reducedMotion: 'reduce',
  })
  await page.evaluate((token) => {
    const suportra = (window as unknown as { Suportra(...args: unknown[]): void }).Suportra
    suportra('identify', { token })
    suportra('open')
  }, token)
  await page.locator('suportra-widget li.message.theirs', { hasText: NEWEST }).waitFor()
  return { page, problems }
}

test('5 sizes × with and without the largest context × 4 languages: the newest reply is on screen, the list keeps 40%, nothing is wider than the panel', async () => {
  const host = await stack.host()
  const failures: string[] = []
  const shares: number[] = []
  let cells = 0
  for (const language of LANGUAGES) {
    for (const variant of VARIANTS) {
      const { token } = await sessionFor(language, variant, host.url)
      const { page, problems } = await openChat(language, token, host.url)
      for (const [width, height] of SIZES) {
        await page.setViewportSize({ width, height })
        // The panel follows the viewport (a listener sets its size on phones): wait until it stands still.
        let geometry = await measurePanel(page)
        for (let tries = 0; tries < 20; tries++) {
          await settle(page)
          const again = await measurePanel(page)
          const still = JSON.stringify(again) === JSON.stringify(geometry)
          geometry = again
          if (still) break
        }
        cells++
        shares.push(geometry.listShare)
        const cell = `${width}×${height} ${language} ${variant}`
        if (geometry.newest)
          failures.push(`${cell}: the newest builder message is not readable: ${geometry.newest}`)
        if (geometry.listShare < MIN_LIST_SHARE)
          failures.push(
            `${cell}: the message list is ${Math.round(geometry.listShare * 100)}% of the panel's ${geometry.panel.height} px`,
          )
        for (const wide of geometry.overflowing) failures.push(`${cell}: ${wide}`)
        if (variant === 'with the largest context') {
          // Expanded, the whole context shows, scrolling in its own block: still nothing wider than the panel.
          const about = page.locator('suportra-widget .about button')
          if ((await about.count()) === 0) {
            failures.push(`${cell}: the context cannot be collapsed or expanded (no button)`)
            continue
          }
          await about.click()
          await settle(page)
          for (const wide of (await measurePanel(page)).overflowing)
            failures.push(`${cell}, expanded: ${wide}`)
          await about.click()
        }
      }
      for (const error of problems.errors) failures.push(`${language} ${variant}: page error ${error}`)
    }
  }
  report.push(
    `${cells} cells (5 sizes × 2 contexts × 4 languages): message list ${Math.round(Math.min(...shares) * 100)}–${Math.round(Math.max(...shares) * 100)}% of the panel; ${failures.length} failures${failures.length ? `:\n  ${failures.join('\n  ')}` : ''}`,
  )
  expect(failures).toEqual([])
}, 180_000)

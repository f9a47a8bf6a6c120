// Touch: on a phone, every control is hit where it is drawn (a tap on star N stores N, not what lies
// over it), the rating starts with no score, and every control in every screen is at least 24×24 CSS
// px (WCAG 2.2, 2.5.8 Target Size), measured in the browser.
import { createClient, memoryStorage, type SuportraClient } from '@suportra/client'
import { api, DEMO, grantCredits, signIdentityToken } from '@suportra/server/testing'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'
import { panelOf, type Stack, startStack } from './support/stack.js'

const PHONE = {
  viewport: { width: 375, height: 667 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0 Mobile Safari/537.36',
}
/** WCAG 2.5.8: targets at least 24 by 24 CSS pixels. */
const MIN_TARGET = 24

let stack: Stack
const clients: SuportraClient[] = []
const report: string[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  for (const line of report) console.log(`[hardening] Touch ${line}`)
  for (const client of clients) client.destroy()
  await stack.close()
})

type Suportra = (...args: unknown[]) => void
const suportra = (page: Page, ...args: unknown[]) =>
  page.evaluate((args) => (window as unknown as { Suportra: Suportra }).Suportra(...args), args)

/** A vendor-identified user: the token for the page, and the same user as a client in Node. */
async function vendorUser(sub: string, credits: number) {
  const token = await signIdentityToken({ sub, name: 'Tapper' })
  const user = createClient({
    baseUrl: stack.server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
  })
  clients.push(user)
  await user.auth.identify({ token })
  await grantCredits(stack.server, user.$user.get()?.id ?? '', credits)
  // An access token of its own, to read what the server stored.
  const signedIn = await api(stack.server.url, 'POST', '/v1/auth/identify', {
    app: DEMO.appId,
    body: { token },
  })
  return { token, user, accessToken: signedIn.body.accessToken as string }
}

test('a tap on each star stores that exact score, and the rating starts with none chosen', async () => {
  const { token, user, accessToken } = await vendorUser('touch-stars', 5)
  const host = await stack.host()
  const { page, problems } = await stack.open(host.url, PHONE)
  await suportra(page, 'identify', { token })
  const panel = panelOf(page)
  const stored: number[] = []
  const preselected: string[] = []
  const misses: string[] = []
  for (const score of [1, 2, 3, 4, 5]) {
    const topic = `Rated ${score} by touch`
    const session = await user.sessions.start({ tool: 'cursor', topic })
    const builder = await stack.claim(topic)
    await builder.send('Done?')
    // The vendor's own button opens the widget on the session going; the user ends it and rates by tapping.
    await suportra(page, 'open')
    await panel.getByText(topic).first().waitFor()
    await panel.getByRole('button', { name: 'End session' }).tap()
    const send = panel.getByRole('button', { name: 'Send', exact: true })
    await send.waitFor()
    // Nothing chosen yet, and Send waits for a choice.
    const chosen = await panel.getByRole('radio', { checked: true }).count()
    if (chosen || (await send.isEnabled())) preselected.push(`${chosen} chosen, Send enabled`)
    // Every point of each drawn star belongs to that star (its radio or its label), not to a neighbour.
    misses.push(...(await starMisses(page)))
    // A finger on the upper left of star N: still on the star as drawn.
    const star = await panel
      .locator('label', { hasText: `${score} of 5` })
      .locator('[aria-hidden="true"]')
      .boundingBox()
    if (!star) throw new Error(`star ${score} is not drawn`)
    await page.touchscreen.tap(star.x + star.width * 0.1, star.y + star.height * 0.15)
    await send.tap()
    await panel.getByText('Thank you!').waitFor()
    const { body } = await api(stack.server.url, 'GET', `/v1/sessions/${session.id}`, { token: accessToken })
    stored.push(body.session.rating?.score ?? 0)
    await panel.getByRole('button', { name: 'Back' }).tap()
    await panel.getByRole('button', { name: 'Close' }).tap()
  }
  report.push(
    `stars tapped 1–5 on a 375×667 touch screen, scores stored: ${stored.join(', ')}; points of a star showing another: ${misses.length}${misses.length ? ` (${misses.slice(0, 6).join('; ')}…)` : ''}; preselected: ${preselected.join('; ') || 'none'}`,
  )
  expect(stored).toEqual([1, 2, 3, 4, 5])
  expect(misses).toEqual([])
  expect(preselected).toEqual([])
  expect(problems.errors).toEqual([])
})

/** Points of each drawn star (a 3×3 grid over its glyph) where the screen shows another star's control. */
function starMisses(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const root = document.querySelector('suportra-widget')?.shadowRoot as ShadowRoot
    const misses: string[] = []
    for (const [i, label] of [...root.querySelectorAll('.stars label')].entries()) {
      const r = (label.querySelector('[aria-hidden="true"]') as HTMLElement).getBoundingClientRect()
      for (const fx of [0.1, 0.5, 0.9]) {
        for (const fy of [0.15, 0.5, 0.85]) {
          const hit = root.elementFromPoint(r.left + r.width * fx, r.top + r.height * fy)
          if (!hit || !label.contains(hit)) {
            const other = hit?.closest('label')?.textContent ?? hit?.localName
            misses.push(`star ${i + 1} at (${fx}, ${fy}) is ${other}`)
          }
        }
      }
    }
    return misses
  })
}

/**
 * Every button, field, link and summary drawn in the panel now, with its size; controls smaller than
 * 24×24 px are returned. (Links inside a sentence of a message are exempt, as WCAG allows.)
 */
function smallTargets(page: Page, screen: string): Promise<string[]> {
  return page.evaluate(
    ([screen, min]) => {
      const panel = document.querySelector('suportra-widget')?.shadowRoot?.querySelector('.panel')
      const small: string[] = []
      for (const el of panel?.querySelectorAll('button, input, select, textarea, a[href], summary') ?? []) {
        const r = el.getBoundingClientRect()
        const style = getComputedStyle(el)
        if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue
        if (el.localName === 'a' && el.closest('.md p, .md li')) continue
        if (r.width < min - 0.01 || r.height < min - 0.01) {
          const name = el.getAttribute('aria-label') ?? (el.textContent?.trim() || el.getAttribute('name'))
          small.push(
            `${screen}: <${el.localName}> "${name?.slice(0, 30)}" ${r.width.toFixed(1)}×${r.height.toFixed(1)}`,
          )
        }
      }
      return small
    },
    [screen, MIN_TARGET] as const,
  )
}

test('every control on every screen is at least 24×24 px, on a phone and on a desktop', async () => {
  const host = await stack.host()
  const small: string[] = []
  const screens: string[] = []
  for (const device of [PHONE, { viewport: { width: 1366, height: 768 } }]) {
    const { token, user } = await vendorUser(`touch-targets-${device.viewport.width}`, 1)
    const { page } = await stack.open(host.url, device)
    const panel = panelOf(page)
    const look = async (screen: string, ready: Locator) => {
      await ready.waitFor()
      screens.push(`${screen} (${device.viewport.width} px)`)
      small.push(...(await smallTargets(page, `${screen} at ${device.viewport.width} px`)))
    }
    await suportra(page, 'open')
    await look('sign-in', panel.getByLabel('Password'))
    await panel.getByRole('button', { name: 'Free stack audit' }).click()
    await look('audit', panel.getByLabel('What are you building?'))
    await panel.getByRole('button', { name: 'Back' }).click()
    await suportra(page, 'identify', { token })
    await suportra(page, 'open', {
      tool: 'v0',
      topic: 'Hydration error after adding a date',
      context: {
        url: 'https://app.example.com/editor',
        error: { message: 'Hydration failed', stack: 'at Page' },
      },
    })
    await look('new session with context', panel.getByRole('group', { name: 'Shared with the builder' }))
    await panel.getByRole('button', { name: 'Start session' }).click()
    await look('waiting', panel.getByText('Waiting for a builder'))
    const builder = await stack.claim('Hydration error after adding a date')
    await builder.send('Render the date on the client: see https://react.dev/link/hydration-mismatch')
    await builder.send({
      text: 'Like this',
      code: { language: 'tsx', content: 'useEffect(() => setNow(new Date()), [])' },
    })
    await builder.send({ text: 'The log', files: [new File(['x'.repeat(2000)], 'build.log')] })
    await panel
      .locator('input[type=file]')
      .setInputFiles({ name: 'page.tsx', mimeType: 'text/plain', buffer: Buffer.from('x') })
    await look('chat (an attachment picked)', panel.getByRole('button', { name: 'build.log' }))
    // (What exists only with issue 18's changes is visited when it is there: on the code before them,
    // this test measures the rest.)
    if (await panel.locator('.about button').count()) {
      await panel.locator('.about button').click()
      await look('chat, context expanded', panel.getByRole('group', { name: 'Shared with the builder' }))
    }
    const remove = panel.getByRole('button', { name: 'Remove page.tsx' })
    if (await remove.count()) await remove.click()
    else await panel.getByRole('button', { name: 'Send', exact: true }).click()
    await suportra(page, 'open', {
      topic: 'Also failing on Vercel',
      context: { url: 'https://vercel.com/a/b' },
    })
    const going = panel.getByRole('heading', { name: 'You have a session going' })
    if (
      await going.waitFor({ timeout: 3_000 }).then(
        () => true,
        () => false,
      )
    ) {
      await look('a session going', going)
      await panel.getByRole('button', { name: 'Cancel' }).click()
    }
    await panel.getByRole('button', { name: 'End session' }).click()
    await look('rate', panel.getByLabel('Anything to add? (optional)'))
    await panel.locator('label', { hasText: '3 of 5' }).click()
    await panel.getByRole('button', { name: 'Send', exact: true }).click()
    await look('rated', panel.getByText('Thank you!'))
    await panel.getByRole('button', { name: 'Back' }).click()
    await panel.getByRole('button', { name: 'Past sessions' }).click()
    await look('history', panel.getByRole('button', { name: /^Hydration error/ }))
    await panel.getByRole('button', { name: /^Hydration error/ }).click()
    await look('transcript', panel.getByText('Like this'))
    await panel.getByRole('button', { name: /^Credits: / }).click()
    await look('credits', panel.getByRole('heading', { name: /^Credits: / }))
    await panel.getByRole('button', { name: 'Back' }).click()
    await panel.getByRole('button', { name: 'Your data' }).click()
    await panel.getByRole('button', { name: 'Delete my account' }).click()
    await look('your data, deleting', panel.getByRole('button', { name: 'Yes, delete everything' }))
    expect(user.$user.get()).toBeTruthy()
  }
  report.push(
    `${screens.length} screens measured (${screens.join(', ')}): ${small.length} controls under 24×24 px${small.length ? `:\n  ${small.join('\n  ')}` : ''}`,
  )
  expect(small).toEqual([])
})

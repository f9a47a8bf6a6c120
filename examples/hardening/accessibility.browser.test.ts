// Accessibility: axe-core on every screen of the widget and of the builder console, light and dark;
// a whole session by keyboard alone; focus trapped in the open panel and given back on close; new
// messages announced.
import { fileURLToPath } from 'node:url'
import { api, DEMO, signIn } from '@suportra/server/testing'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { axe, type Violation } from './support/axe.js'
import { builderSees, deepActive, panelOf, type Stack, startStack } from './support/stack.js'

let stack: Stack
const report: string[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  for (const line of report) console.log(`[hardening] Accessibility ${line}`)
  await stack.close()
})

/** Scans in light and in dark (prefers-color-scheme) and keeps what axe finds, by screen. */
function scanner(page: Page, scope: 'widget' | 'page') {
  const found: Record<string, Violation[]> = {}
  let scans = 0
  return {
    found,
    get scans() {
      return scans
    },
    async scan(screen: string) {
      for (const colorScheme of ['light', 'dark'] as const) {
        // Reduced motion: the panel's opening animation would otherwise be measured half-faded.
        await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' })
        const violations = await axe(page, scope)
        scans++
        if (violations.length) found[`${screen} (${colorScheme})`] = violations
      }
      await page.emulateMedia({ colorScheme: 'light' })
    },
  }
}

const summarize = (found: Record<string, Violation[]>) =>
  Object.entries(found).map(
    ([screen, list]) =>
      `${screen}: ${list.map((v) => `${v.id} (${v.impact}, ${v.tags.join('/')}) ×${v.nodes.length}`).join(', ')}`,
  )

describe('axe-core', () => {
  test('finds no violation on any screen of the widget, light or dark', async () => {
    const host = await stack.host()
    const { page } = await stack.open(host.url)
    const axeWidget = scanner(page, 'widget')
    const screens: string[] = []
    const scan = async (screen: string, ready: Locator) => {
      await ready.waitFor()
      screens.push(screen)
      await axeWidget.scan(screen)
    }
    const panel = panelOf(page)
    const user = await stack.user(5)

    await scan('launcher', page.locator('suportra-widget .launcher'))
    await page.getByRole('button', { name: 'Ask a human' }).click()
    await scan('sign-in', panel.getByLabel('Password'))
    await panel.getByRole('button', { name: 'Free stack audit' }).click()
    await scan('audit', panel.getByLabel('What are you building?'))
    await panel.getByRole('button', { name: 'Back' }).click()
    await panel.getByLabel('Email').fill(user.email)
    await panel.getByLabel('Password').fill(DEMO.user.password)
    await panel.getByRole('button', { name: 'Sign in' }).click()
    await page.evaluate(() =>
      (window as unknown as { Suportra(...args: unknown[]): void }).Suportra('open', {
        tool: 'cursor',
        topic: 'Tailwind classes do nothing after the upgrade',
        context: { url: location.href, error: 'Unknown at rule @tailwind' },
      }),
    )
    await scan('new session (with context)', panel.getByRole('group', { name: 'Shared with the builder' }))
    await panel.getByRole('button', { name: 'Start session' }).click()
    await scan('waiting', panel.getByText('Waiting for a builder'))

    const handle = await stack.claim('Tailwind classes do nothing after the upgrade')
    await handle.send(
      'Add the **v4** import: see https://tailwindcss.com/docs\n```css\n@import "tailwindcss";\n```',
    )
    await handle.send({ text: 'The log', files: [new File(['x'.repeat(2000)], 'build.log')] })
    await panel.getByLabel('Write a message').fill('Trying it, thanks')
    await panel.getByLabel('Write a message').press('Enter')
    await builderSees(handle, 'Trying it, thanks')
    await scan('chat', panel.getByRole('button', { name: 'build.log' }))
    await panel.getByRole('button', { name: /^Tailwind classes do nothing/ }).click()
    await scan('chat, context expanded', panel.getByRole('group', { name: 'Shared with the builder' }))
    await panel.getByRole('button', { name: /^Tailwind classes do nothing/ }).click()
    await page.evaluate(() =>
      (window as unknown as { Suportra(...args: unknown[]): void }).Suportra('open', {
        topic: 'Also broken in production',
        context: { url: 'https://example.com/app' },
      }),
    )
    await scan('a session going', panel.getByRole('heading', { name: 'You have a session going' }))
    await panel.getByRole('button', { name: 'Cancel' }).click()

    await panel.getByRole('button', { name: 'End session' }).click()
    await scan('rate', panel.getByLabel('Anything to add? (optional)'))
    await panel.locator('label', { hasText: '5 of 5' }).click()
    await panel.getByRole('button', { name: 'Send', exact: true }).click()
    await scan('rated', panel.getByText('Thank you!'))
    await panel.getByRole('button', { name: 'Back' }).click()
    await panel.getByRole('button', { name: 'Past sessions' }).click()
    await scan('history', panel.getByRole('button', { name: /^Tailwind classes/ }))
    await panel.getByRole('button', { name: /^Tailwind classes/ }).click()
    await scan('transcript', panel.getByText('Trying it, thanks'))
    await panel.getByRole('button', { name: /^Credits: / }).click()
    await scan('credits', panel.getByRole('heading', { name: /^Credits: / }))
    await panel.getByRole('button', { name: 'Back' }).click()
    await panel.getByRole('button', { name: 'Your data' }).click()
    await scan('your data', panel.getByRole('button', { name: 'Download my data' }))

    const count = Object.values(axeWidget.found).flat().length
    report.push(
      `widget: ${screens.length} screens (${screens.join(', ')}) × light/dark = ${axeWidget.scans} scans, ${count} violations` +
        (count ? ` — ${summarize(axeWidget.found).join('; ')}` : ''),
    )
    if (process.env.HARDENING_AXE) console.log(JSON.stringify(axeWidget.found, null, 1))
    expect(summarize(axeWidget.found)).toEqual([])
  })

  test('finds no violation on any screen of the builder console, light or dark', async () => {
    const host = await stack.host({
      root: fileURLToPath(new URL('../builder-console/dist/', import.meta.url)),
    })
    const { page } = await stack.open(host.url)
    const axePage = scanner(page, 'page')
    const screens: string[] = []
    const scan = async (screen: string, ready: Locator) => {
      await ready.waitFor()
      screens.push(screen)
      await axePage.scan(screen)
    }
    await scan('sign-in', page.getByLabel('Password'))
    await page.getByLabel('Email').fill(DEMO.builder.email)
    await page.getByLabel('Password').fill(DEMO.builder.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await scan('empty queue', page.getByText('Claim a session from the queue to start helping.'))

    const user = await stack.user(2)
    const { accessToken } = await signIn(stack.server.url, user.email)
    const topic = 'Supabase auth redirect loops on Vercel'
    const started = await api(stack.server.url, 'POST', '/v1/sessions', {
      token: accessToken,
      body: {
        tool: 'lovable',
        topic,
        context: { url: 'https://app.example/login', error: 'redirect_uri mismatch' },
      },
    })
    await scan('queue with a session', page.getByRole('button', { name: `Claim: ${topic}` }))
    await page.getByRole('button', { name: `Claim: ${topic}` }).click()
    const pane = page.getByRole('article', { name: `Chat: ${topic}` })
    await api(stack.server.url, 'POST', `/v1/sessions/${started.body.session.id}/messages`, {
      token: accessToken,
      body: { id: 'a11y_console_1', text: 'It loops:\n```\nGET /auth/callback 302\n```' },
    })
    await scan('chat', pane.getByText('GET /auth/callback 302'))

    const count = Object.values(axePage.found).flat().length
    report.push(
      `builder console: ${screens.length} screens (${screens.join(', ')}) × light/dark = ${axePage.scans} scans, ${count} violations` +
        (count ? ` — ${summarize(axePage.found).join('; ')}` : ''),
    )
    expect(summarize(axePage.found)).toEqual([])
  })
})

/** Presses Tab (or Shift+Tab) until `target` has focus; every stop on the way must be in the panel. */
async function tabTo(
  page: Page,
  target: string,
  options: { back?: boolean; max?: number; trapped?: boolean } = {},
) {
  const stops: string[] = []
  for (let i = 0; i < (options.max ?? 30); i++) {
    await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab')
    const focused = await deepActive(page)
    stops.push(focused)
    if (focused.endsWith(`: ${target}`)) break
  }
  if (options.trapped !== false) expect(stops.filter((stop) => !stop.includes('(panel)'))).toEqual([])
  expect(stops.at(-1)).toMatch(new RegExp(`: ${target.replace(/[?()]/g, '\\$&')}$`))
  return stops
}

describe('keyboard', () => {
  test('a whole session, by keyboard alone', async () => {
    const host = await stack.host()
    const { page, problems } = await stack.open(host.url)
    await page.locator('suportra-widget .launcher').waitFor()
    const user = await stack.user(2)
    const topic = 'Cursor agent keeps reverting my edits'
    const panel = panelOf(page)
    let presses = 0
    const count = (stops: string[]) => {
      presses += stops.length
    }
    /** Where focus is once a screen has changed under it: it must still be in the panel. */
    const lost: string[] = []
    const afterChange = async (step: string) => {
      const focused = await deepActive(page)
      if (!focused.includes('(panel)')) lost.push(`${step} → ${focused.split(':')[0]}`)
    }

    count(await tabTo(page, 'Ask a human', { trapped: false }))
    await page.keyboard.press('Enter')
    await expect.poll(() => deepActive(page)).toBe('input (panel): Email')
    await page.keyboard.type(user.email)
    count(await tabTo(page, 'Password'))
    await page.keyboard.type(DEMO.user.password)
    await page.keyboard.press('Enter')
    await panel.getByRole('button', { name: 'Start session' }).waitFor()
    await afterChange('signed in')
    count(await tabTo(page, 'Describe the blocker'))
    await page.keyboard.type(topic)
    count(await tabTo(page, 'Start session'))
    await page.keyboard.press('Enter')
    await panel.getByText('Waiting for a builder').waitFor()
    await afterChange('session started')
    const handle = await stack.claim(topic)
    await handle.send('Is .cursorrules in the repo?')
    await panel.getByText('Is .cursorrules in the repo?').waitFor()
    count(await tabTo(page, 'Write a message'))
    await page.keyboard.type('No, should it be?')
    await page.keyboard.press('Enter')
    await builderSees(handle, 'No, should it be?')
    count(await tabTo(page, 'End session'))
    await page.keyboard.press('Enter')
    await panel.getByText('How did it go?').first().waitFor()
    await afterChange('session ended')
    // On the new screen's own heading (its part loads first), not the panel's title.
    await expect.poll(() => deepActive(page)).toBe('h3 (panel): How did it go?')
    // Nothing is chosen at first: Tab reaches the first star, the arrows pick the score.
    count(await tabTo(page, '1 of 5'))
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight')
    count(await tabTo(page, 'Anything to add? (optional)'))
    await page.keyboard.type('Quick and clear')
    count(await tabTo(page, 'Send'))
    await page.keyboard.press('Enter')
    await panel.getByText('Thank you!').waitFor()
    await afterChange('rating sent')
    // Wherever focus is, Escape must close the panel and give focus back to the launcher.
    if (!(await deepActive(page)).includes('(panel)')) count(await tabTo(page, 'New session', { max: 5 }))
    await page.keyboard.press('Escape')
    expect(await panel.count()).toBe(0)
    await expect.poll(() => deepActive(page)).toBe('button: Ask a human')

    const { accessToken } = await signIn(stack.server.url, user.email)
    const stored = await api(stack.server.url, 'GET', `/v1/sessions/${handle.id}`, { token: accessToken })
    expect(stored.body.session).toMatchObject({
      status: 'closed',
      rating: { score: 4, comment: 'Quick and clear' },
    })
    expect(problems.errors).toEqual([])
    report.push(
      `keyboard: a whole session (sign in, start, chat, end, rate) in ${presses} Tab presses, no mouse; ` +
        `focus dropped out of the panel ${lost.length} times${lost.length ? ` (${lost.join(', ')})` : ''}`,
    )
    expect(lost).toEqual([])
  })

  test('focus stays in the open panel and goes back where it was on close', async () => {
    const host = await stack.host()
    const { page } = await stack.open(host.url)
    await page.locator('suportra-widget .launcher').waitFor()
    await page.locator('#help').focus()
    await page.keyboard.press('Enter') // the vendor's own "Get help" button
    await expect.poll(() => deepActive(page)).toBe('input (panel): Email')
    const forward = await tabTo(page, 'never-there', { max: 20 }).catch(() => undefined)
    expect(forward).toBeUndefined() // it never got there, and (below) never left
    const stops: string[] = []
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press(i % 2 ? 'Tab' : 'Shift+Tab')
      stops.push(await deepActive(page))
    }
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Shift+Tab')
      stops.push(await deepActive(page))
    }
    expect(stops.filter((stop) => !stop.includes('(panel)'))).toEqual([])
    await page.keyboard.press('Escape')
    await expect.poll(() => deepActive(page)).toBe('button: Get help')

    await page.keyboard.press('Enter')
    await expect.poll(() => deepActive(page)).toBe('input (panel): Email')
    await tabTo(page, 'Close')
    await page.keyboard.press('Enter')
    await expect.poll(() => deepActive(page)).toBe('button: Get help')
    report.push(
      `focus: ${stops.length + 20} Tab/Shift+Tab presses stayed in the panel; focus restored after Escape and after Close`,
    )
  })

  test('focusing the launcher before the widget has loaded keeps focus on it', async () => {
    const host = await stack.host({ load: 'interaction' })
    const { page } = await stack.open(host.url)
    await page.locator('suportra-widget button').waitFor()
    await tabTo(page, 'Ask a human', { trapped: false }) // focus is what loads the widget
    await page.locator('suportra-widget .launcher').waitFor()
    await expect.poll(() => deepActive(page), { timeout: 2_000 }).toBe('button: Ask a human')
    await page.keyboard.press('Enter')
    await panelOf(page).getByLabel('Email').waitFor()
  })
})

describe('announcements', () => {
  /** A fresh user signs in through the widget and starts a session on `topic`; the builder claims it. */
  async function startClaimedSession(topic: string) {
    const host = await stack.host()
    const { page } = await stack.open(host.url)
    const { email } = await stack.user()
    await page.getByRole('button', { name: 'Ask a human' }).click()
    const panel = panelOf(page)
    await panel.getByLabel('Email').fill(email)
    await panel.getByLabel('Password').fill(DEMO.user.password)
    await panel.getByRole('button', { name: 'Sign in' }).click()
    await panel.getByLabel('Describe the blocker').fill(topic)
    await panel.getByRole('button', { name: 'Start session' }).click()
    const handle = await stack.claim(topic)
    await panel.getByText('Grace Hopper joined').waitFor()
    return { page, panel, handle }
  }

  test('a new message lands in a live region that was already there', async () => {
    const { page, panel, handle } = await startClaimedSession('Bolt preview is blank')

    // Mark the live regions present now; the builder's message must appear inside one of them.
    const regions = await page.evaluate(() => {
      const root = document.querySelector('suportra-widget')?.shadowRoot
      const live = [...(root?.querySelectorAll('[aria-live],[role=log],[role=status],[role=alert]') ?? [])]
      for (const [i, el] of live.entries()) el.setAttribute('data-region', String(i))
      return live.map((el) => `${el.getAttribute('role')}/${el.getAttribute('aria-live')}`)
    })
    await handle.send('Open the console: is there a CORS error?')
    await panel.getByText('Open the console: is there a CORS error?').waitFor()
    const announced = await page.evaluate(() => {
      const root = document.querySelector('suportra-widget')?.shadowRoot
      const region = [...(root?.querySelectorAll('[data-region]') ?? [])].find((el) =>
        el.textContent?.includes('Open the console: is there a CORS error?'),
      )
      return region && `${region.getAttribute('role')}/${region.getAttribute('aria-live')}`
    })
    expect(announced).toBe('log/polite')
    report.push(
      `announcements: ${regions.length} live regions in the open chat; the new message arrived in the ${announced} one`,
    )
  })

  test('a new message is announced while the panel is closed', async () => {
    const { page, panel, handle } = await startClaimedSession('Replit secrets not loaded')
    await panel.getByRole('button', { name: 'Close' }).click()

    await handle.send('Restart the repl after adding secrets')
    await expect.poll(() => page.getByRole('button', { name: /1 unread/ }).count()).toBe(1)
    // A screen reader hears only live regions: one of the widget's must now say so.
    const live = await page.evaluate(() => {
      const root = document.querySelector('suportra-widget')?.shadowRoot
      return [...(root?.querySelectorAll('[aria-live],[role=log],[role=status],[role=alert]') ?? [])]
        .filter((el) => el.getAttribute('aria-live') !== 'off')
        .map((el) => el.textContent ?? '')
    })
    report.push(`announcements with the panel closed: live regions say ${JSON.stringify(live)}`)
    expect(live.some((text) => /unread|Restart the repl/.test(text))).toBe(true)
  })
})

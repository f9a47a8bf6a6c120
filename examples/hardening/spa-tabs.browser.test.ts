// SPA and tabs: a host that navigates with history.pushState and draws its DOM again keeps the widget
// and the conversation; the same user in two tabs sees every message in both, and each is sent once.
import { allMessages, DEMO, signIn } from '@suportra/server/testing'
import type { Page, Request } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  builderSees,
  chatThroughWidget,
  panelOf,
  type Stack,
  sendFromWidget,
  signInThroughWidget,
  startSession,
  startStack,
} from './support/stack.js'

let stack: Stack
const report: string[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  for (const line of report) console.log(`[hardening] SPA and tabs: ${line}`)
  await stack.close()
})

/** The widget is on the page, its panel open, with the conversation so far. */
async function stillThere(page: Page, says: string, step: string) {
  const connected = await page.evaluate(() => document.querySelector('suportra-widget')?.isConnected ?? false)
  expect(connected, `the widget is on the page after ${step}`).toBe(true)
  await expect
    .poll(() => panelOf(page).getByText(says).isVisible(), {
      message: `the conversation shows after ${step}`,
    })
    .toBe(true)
}

describe('a single-page app', () => {
  test('the launcher survives the app drawing its first page over the server HTML', async () => {
    const host = await stack.host()
    const { page } = await stack.open(`${host.url}/spa.html?page=home`)
    await page.locator('#page-title').waitFor()
    await expect
      .poll(() => page.locator('suportra-widget .launcher').isVisible(), { timeout: 5_000 })
      .toBe(true)
  })

  test.each([
    ['pushState only (the app changes a title)', 'blog', 'changelog'],
    ['replacing the body children', 'blog', 'pricing'],
    ['replacing the body element', 'blog', 'docs'],
    ['innerHTML on the body', 'blog', 'home'],
  ])('navigating by %s keeps the widget and the conversation', async (how, from, to) => {
    const host = await stack.host()
    const { page, problems } = await stack.open(`${host.url}/spa.html?page=${from}`)
    await page.locator('#page-title').waitFor()
    const topic = `SPA navigation: ${how}`
    // Opened from the vendor's side, so this test measures navigation even if the launcher is gone.
    const { handle } = await chatThroughWidget(stack, page, topic, (p) =>
      p.evaluate(() => (window as unknown as { Suportra(...a: unknown[]): void }).Suportra('open')),
    )
    const panel = panelOf(page)
    const steps: string[] = []
    for (const [step, go] of [
      // The open panel covers the app's nav, so the link is clicked from script (as a router would).
      [`to ${to}`, () => page.locator(`a[data-page="${to}"]`).dispatchEvent('click')],
      ['back', () => page.goBack()],
      ['forward', () => page.goForward()],
    ] as const) {
      await go()
      await expect
        .poll(() => page.evaluate(() => location.search))
        .toBe(`?page=${step === 'back' ? from : to}`)
      await stillThere(page, 'Which step fails? Try:', step)
      await handle.send(`Builder after ${step}`)
      await expect.poll(() => panel.getByText(`Builder after ${step}`).isVisible()).toBe(true)
      await sendFromWidget(panel, `User after ${step}`)
      await builderSees(handle, `User after ${step}`)
      steps.push(step)
    }
    const { accessToken } = await signIn(stack.server.url, DEMO.builder.email, DEMO.builder.password)
    const bodies = (await allMessages(stack.server.url, accessToken, handle.id)).map((m) => m.body)
    const doubled = bodies.filter((body, i) => body !== 'claimed' && bodies.indexOf(body) !== i)
    report.push(
      `${how}: widget kept through ${steps.join(', ')}; ${bodies.length} stored messages, ${doubled.length} doubled`,
    )
    expect(doubled).toEqual([])
    expect(problems.errors).toEqual([])
  })
})

describe('two tabs', () => {
  test('the same user in two tabs sees every message in both, and each is sent once', async () => {
    const host = await stack.host()
    const { page: first, problems } = await stack.open(host.url)
    const { email } = await stack.user()
    const topic = 'Two tabs: Windsurf cannot find my Python venv'
    const firstPanel = await signInThroughWidget(first, email)
    await startSession(firstPanel, topic)
    const handle = await stack.claim(topic)

    const second = await first.context().newPage()
    await second.goto(host.url)
    await second.getByRole('button', { name: 'Ask a human' }).click()
    const secondPanel = panelOf(second)
    await expect.poll(() => secondPanel.getByText('Grace Hopper joined').isVisible()).toBe(true)

    const posts: string[] = []
    const count = (request: Request) => {
      if (request.method() === 'POST' && /\/messages$/.test(new URL(request.url()).pathname))
        posts.push(JSON.parse(request.postData() ?? '{}').id)
    }
    first.on('request', count)
    second.on('request', count)
    const sent: string[] = []
    for (let i = 1; i <= 5; i++) {
      for (const [who, panel] of [
        ['first tab', firstPanel],
        ['second tab', secondPanel],
      ] as const) {
        await sendFromWidget(panel, `${who} #${i}`)
        sent.push(`${who} #${i}`)
      }
      await handle.send(`builder #${i}`)
      sent.push(`builder #${i}`)
    }
    for (const body of sent.filter((b) => !b.startsWith('builder'))) await builderSees(handle, body)

    const shown = async (page: Page) =>
      page.evaluate(() =>
        [
          ...(document.querySelector('suportra-widget')?.shadowRoot?.querySelectorAll('li.message .md') ??
            []),
        ].map((el) => el.textContent ?? ''),
      )
    for (const page of [first, second]) {
      await expect
        .poll(async () => (await shown(page)).filter((b) => sent.includes(b)).length)
        .toBe(sent.length)
      const list = await shown(page)
      expect(sent.filter((body) => list.filter((b) => b === body).length !== 1)).toEqual([])
    }
    const { accessToken } = await signIn(stack.server.url, email)
    const stored = (await allMessages(stack.server.url, accessToken, handle.id)).map((m) => m.body)
    expect(sent.filter((body) => stored.filter((b) => b === body).length !== 1)).toEqual([])
    const retried = posts.filter((id, i) => posts.indexOf(id) !== i)
    report.push(
      `two tabs: ${sent.length} messages (5 from each tab, 5 from the builder) shown once in each tab and stored once; ` +
        `${posts.length} POSTs for ${new Set(posts).size} ids (${retried.length} repeated ids)`,
    )
    expect(problems.errors).toEqual([])
  })

  test('a tab that was open before the sign-in follows it without a reload', async () => {
    const host = await stack.host()
    const { page: first } = await stack.open(host.url)
    const second = await first.context().newPage()
    await second.goto(host.url)
    await second.locator('suportra-widget .launcher').waitFor()
    const { email } = await stack.user()
    await signInThroughWidget(first, email)
    await second.getByRole('button', { name: 'Ask a human' }).click()
    const signedIn = await panelOf(second)
      .getByRole('button', { name: 'Start session' })
      .waitFor({ timeout: 5_000 })
      .then(
        () => true,
        () => false,
      )
    report.push(`a tab open before the sign-in ${signedIn ? 'followed it' : 'still asks to sign in'}`)
    expect(signedIn).toBe(true)
  })
})

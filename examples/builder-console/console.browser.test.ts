// The builder console as a tool for a working day: errors that go away once resolved, a reply box
// laid out for typing (wide and narrow windows), events that name people, and new queue entries
// announced (page title, and a chime only once the builder allowed sound with a click).
import { fileURLToPath } from 'node:url'
import { api, createUser, DEMO, signIn } from '@suportra/server/testing'
import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { setupSites } from '../support/sites.js'

const dist = (app: string) => fileURLToPath(new URL(`../${app}/dist/`, import.meta.url))
const sites = setupSites({ closeAfterEach: true })

async function signInAs(page: Page, email: string) {
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(DEMO.user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** A new user with a waiting session; returns its id and the user's token. */
async function waiting(topic: string, tool = 'lovable') {
  const person = await createUser(sites.server, { name: `${topic.split(' ')[0]} Person`, credits: 2 })
  const started = await api(sites.server.url, 'POST', '/v1/sessions', {
    token: person.accessToken,
    body: { tool, topic },
  })
  expect(started.status).toBe(201)
  return { id: started.body.session.id as string, token: person.accessToken, person }
}

async function openConsole(options: { beforeLoad?: (page: Page) => unknown } = {}) {
  const site = await sites.open(dist('builder-console'), options)
  await signInAs(site.page, DEMO.builder.email)
  await site.page.getByRole('heading', { name: 'Builder console' }).waitFor()
  return site
}

test('a claim error goes away after a later claim succeeds', async () => {
  let live = true
  const site = await openConsole({
    // Realtime held back, so the console does not hear that another builder took the first session.
    beforeLoad: (page) =>
      page.context().routeWebSocket(/\/v1\/realtime/, (ws) => (live ? ws.connectToServer() : ws.close())),
  })
  live = false
  const taken = await waiting('Taken elsewhere: Vercel env vars missing')
  const free = await waiting('Free to claim: Prisma migrate hangs')
  await site.page.reload()
  const queue = site.page.getByRole('region', { name: 'Queue' })
  await queue.getByText('Free to claim: Prisma migrate hangs').waitFor()

  const other = await signIn(sites.server.url, DEMO.builder.email)
  await api(sites.server.url, 'POST', `/v1/builder/sessions/${taken.id}/claim`, { token: other.accessToken })
  await queue.getByRole('button', { name: 'Claim: Taken elsewhere: Vercel env vars missing' }).click()
  const alert = queue.getByRole('alert')
  await expect.poll(() => alert.textContent()).toContain('already claimed')

  await queue.getByRole('button', { name: 'Claim: Free to claim: Prisma migrate hangs' }).click()
  await site.page.getByRole('article', { name: 'Chat: Free to claim: Prisma migrate hangs' }).waitFor()
  await expect.poll(() => alert.count()).toBe(0)
  expect(free.id).toBeTruthy()
})

test.each([
  [1366, 768],
  [390, 800],
])(
  'at %i×%i the reply box takes the width, attaching does not, and nothing spills sideways',
  async (width, height) => {
    const site = await openConsole()
    await site.page.setViewportSize({ width, height })
    const topic = `Layout at ${width}: Expo build fails`
    await waiting(topic)
    const queue = site.page.getByRole('region', { name: 'Queue' })
    await queue.getByRole('button', { name: `Claim: ${topic}` }).click()
    const pane = site.page.getByRole('article', { name: `Chat: ${topic}` })
    await pane.waitFor()
    await pane.scrollIntoViewIfNeeded()

    const box = async (locator: ReturnType<Page['locator']>) => {
      const b = await locator.boundingBox()
      if (!b) throw new Error('not laid out')
      return b
    }
    const paneBox = await box(pane)
    const reply = await box(pane.getByLabel('Reply'))
    // The attach control as drawn: the file input, or the label drawing it when the input is hidden.
    const attachControl = async () => {
      const input = await box(pane.getByLabel('Attach files'))
      return input.width > 2
        ? input
        : box(pane.locator('label', { has: site.page.locator('input[type=file]') }))
    }
    const attach = await attachControl()
    const send = await box(pane.getByRole('button', { name: 'Send', exact: true }))
    // The reply box spans the pane (minus its padding); the attach control is a small button.
    expect(reply.width).toBeGreaterThan(paneBox.width - 40)
    expect(attach.width).toBeLessThan(200)
    expect(attach.width).toBeLessThan(reply.width / 2)
    // Everything inside the pane, and the pane inside the window.
    for (const b of [reply, attach, send]) {
      expect(b.x).toBeGreaterThanOrEqual(paneBox.x - 1)
      expect(b.x + b.width).toBeLessThanOrEqual(paneBox.x + paneBox.width + 1)
    }
    expect(paneBox.x + paneBox.width).toBeLessThanOrEqual(width)
    expect(await site.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
    // Typing and sending hit what is drawn.
    await pane.getByLabel('Reply').click()
    expect(await site.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Reply')
    await site.page.keyboard.type('Run expo doctor')
    await site.page.mouse.click(send.x + send.width / 2, send.y + send.height / 2)
    await pane.getByText('Run expo doctor').waitFor()
    expect(await pane.getByLabel('Reply').inputValue()).toBe('')
    // A file picked with the small control is named next to it and sent.
    await pane.getByLabel('Attach files').setInputFiles({
      name: 'app.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{}'),
    })
    await pane.locator('.attached', { hasText: 'app.json' }).waitFor()
    expect((await attachControl()).width).toBeLessThan(200)
  },
)

test("events name the builder: the console and the user's app both say who joined", async () => {
  const site = await openConsole()
  const user = await sites.open(dist('react-app'))
  await signInAs(user.page, DEMO.user.email)
  await user.page.getByLabel('Blocker').fill('Names in events: Bolt preview blank')
  await user.page.getByRole('button', { name: 'Start a session' }).click()
  const queue = site.page.getByRole('region', { name: 'Queue' })
  await queue.getByRole('button', { name: 'Claim: Names in events: Bolt preview blank' }).click()
  const pane = site.page.getByRole('article', { name: 'Chat: Names in events: Bolt preview blank' })
  await pane.getByText(`${DEMO.builder.name} joined`).waitFor()
  await user.page.getByText(`${DEMO.builder.name} joined`).waitFor()
  for (const page of [site.page, user.page]) expect(await page.getByText('A builder joined').count()).toBe(0)
  await user.page.getByRole('button', { name: 'End session' }).click()
})

test('new queue entries show in the title and the page; a chime plays only after the builder turned sound on', async () => {
  const site = await openConsole({
    // Counts what the page does with audio: contexts made and tones started.
    beforeLoad: (page) =>
      page.addInitScript(() => {
        const counts = { contexts: 0, tones: 0 }
        ;(window as unknown as { audioCounts: typeof counts }).audioCounts = counts
        const Original = window.AudioContext
        window.AudioContext = class extends Original {
          constructor(...args: ConstructorParameters<typeof AudioContext>) {
            super(...args)
            counts.contexts++
          }
        }
        const start = OscillatorNode.prototype.start
        OscillatorNode.prototype.start = function (...args: Parameters<OscillatorNode['start']>) {
          counts.tones++
          return start.apply(this, args)
        }
      }),
  })
  const { page } = site
  const audio = () => page.evaluate(() => (window as unknown as { audioCounts: object }).audioCounts)
  const status = page.getByRole('status').filter({ hasText: 'New in the queue' })
  await page.getByText('Waiting (0)').waitFor()
  expect(await page.title()).toBe('Suportra — Builder console')

  // Something enters the queue: the title counts it and the page says what it is. No sound: not allowed yet.
  await waiting('First arrival: Supabase RLS denies insert', 'bolt')
  await expect.poll(() => page.title()).toBe('(1) Suportra — Builder console')
  await expect
    .poll(() => status.textContent())
    .toBe('New in the queue: First arrival: Supabase RLS denies insert (bolt)')
  expect(await audio()).toEqual({ contexts: 0, tones: 0 })

  // The click allows sound (a short chime confirms it); the next arrival chimes.
  await page.getByRole('button', { name: 'Sound off' }).click()
  await page.getByRole('button', { name: 'Sound on', pressed: true }).waitFor()
  await expect.poll(async () => (await audio()) as { tones: number }).toEqual({ contexts: 1, tones: 2 })
  await waiting('Second arrival: Replit secrets not loaded', 'replit')
  await expect.poll(() => page.title()).toBe('(2) Suportra — Builder console')
  await expect.poll(async () => ((await audio()) as { tones: number }).tones).toBe(4)

  // Claiming lowers the count; sound off again means silence.
  await page
    .getByRole('region', { name: 'Queue' })
    .getByRole('button', { name: 'Claim: Second arrival: Replit secrets not loaded' })
    .click()
  await expect.poll(() => page.title()).toBe('(1) Suportra — Builder console')
  await page.getByRole('button', { name: 'Sound on' }).click()
  await waiting('Third arrival: Windsurf loses context', 'windsurf')
  await expect.poll(() => page.title()).toBe('(2) Suportra — Builder console')
  await expect.poll(() => status.textContent()).toContain('Third arrival')
  expect(((await audio()) as { tones: number }).tones).toBe(4)
  expect(site.problems.errors).toEqual([])
})

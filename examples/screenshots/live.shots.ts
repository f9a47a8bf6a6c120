// The widget and the builder console as people meet them live: the waiting banner with its place in
// the queue, video (the offer, its confirmation, "Join video" on both sides), the builder console
// with a queue and a chat, and a reload while the server cannot be reached. Widget screens at
// 1366×768 and 375×667; the console at 1366×768 and 375×667.
import { fileURLToPath } from 'node:url'
import { createClient, memoryStorage } from '@suportra/client'
import { createUser, DEMO } from '@suportra/server/testing'
import type { Locator, Page } from 'playwright-core'
import { test } from 'vitest'
import WebSocket from 'ws'
import { setupSites } from '../support/sites.js'
import { shotPath } from './shot-path.js'

const sites = setupSites({ closeAfterEach: true })
const scriptTag = fileURLToPath(new URL('../script-tag/', import.meta.url))
const builderConsole = fileURLToPath(new URL('../builder-console/dist/', import.meta.url))
const SIZES = [
  [1366, 768],
  [375, 667],
] as const

let people = 0
/** A new user (a readable name) with credits, signed in through the widget; the panel open on the new-session form. */
async function signedInWidget(page: Page, credits = 3) {
  const names = [
    'Ada Ahead',
    'Bo Behind',
    'Cy Chen',
    'Dee Diaz',
    'Eve Evans',
    'Fay Fox',
    'Gus Gray',
    'Hal Hu',
  ]
  const person = await createUser(sites.server, { name: names[people++ % names.length], credits })
  await page.getByRole('button', { name: 'Ask a human', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Talk to a builder' })
  await dialog.getByLabel('Email').fill(person.user.email ?? '')
  await dialog.getByLabel('Password').fill(DEMO.user.password)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await dialog.getByRole('button', { name: 'Start session' }).waitFor()
  return { dialog, person }
}

async function startIn(dialog: Locator, topic: string) {
  await dialog.getByLabel('Describe the blocker').fill(topic)
  await dialog.getByRole('button', { name: 'Start session' }).click()
  await dialog.getByText('Waiting for a builder').waitFor()
}

async function builderClient() {
  const client = createClient({
    baseUrl: sites.server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
  })
  sites.defer(() => client.destroy())
  await client.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
  return client
}

async function claim(topic: string) {
  const builder = await builderClient()
  const id = (await builder.builder.refresh()).find((s) => s.topic === topic)?.id ?? ''
  const handle = await builder.builder.claim(id)
  sites.defer(handle.$messages.listen(() => {}))
  return handle
}

/** Lets animations and fonts settle, then writes the PNG. */
async function shoot(page: Page, name: string) {
  await page.evaluate(() => document.fonts.ready)
  await page.waitForTimeout(300)
  await page.screenshot({ path: shotPath(name, page) })
}

for (const [width, height] of SIZES) {
  test(`waiting banner with the queue position, ${width}×${height}`, async () => {
    const ahead = await sites.open(scriptTag)
    const site = await sites.open(scriptTag)
    await site.page.setViewportSize({ width, height })
    const before = await signedInWidget(ahead.page)
    await startIn(before.dialog, `Ahead of you ${width}: Vercel build times out`)
    const { dialog } = await signedInWidget(site.page)
    await startIn(dialog, 'Stripe webhook returns 400 in production')
    await dialog.getByText('You are #2 in the queue').waitFor()
    await shoot(site.page, 'live-waiting-2')
    // The session ahead is claimed: the banner moves by itself.
    const first = await claim(`Ahead of you ${width}: Vercel build times out`)
    await dialog.getByText('You are #1 in the queue').waitFor()
    await shoot(site.page, 'live-waiting-1')
    const handle = await claim('Stripe webhook returns 400 in production')
    await handle.close()
    await first.close()
  })

  test(`video: the offer, the confirmation and "Join video" in the widget, ${width}×${height}`, async () => {
    const site = await sites.open(scriptTag)
    await site.page.setViewportSize({ width, height })
    const { dialog } = await signedInWidget(site.page)
    const topic = `Video ${width}: the Figma import breaks the layout`
    await startIn(dialog, topic)
    const handle = await claim(topic)
    await handle.send('Happy to look at it together. Can you share your screen?')
    await dialog.getByRole('button', { name: 'Video call (cost: 1)' }).waitFor()
    await shoot(site.page, 'live-video-offer')
    await dialog.getByRole('button', { name: 'Video call (cost: 1)' }).click()
    await dialog.getByRole('button', { name: 'Start video call' }).waitFor()
    await shoot(site.page, 'live-video-confirm')
    await dialog.getByRole('button', { name: 'Start video call' }).click()
    await dialog.getByRole('link', { name: 'Join video' }).waitFor()
    await shoot(site.page, 'live-video-join-widget')
    await handle.close()
  })

  test(`video without enough credits, ${width}×${height}`, async () => {
    const site = await sites.open(scriptTag)
    await site.page.setViewportSize({ width, height })
    const { dialog } = await signedInWidget(site.page, 1)
    const topic = `No credits ${width}: Lovable auth redirect`
    await startIn(dialog, topic)
    const handle = await claim(topic)
    await dialog.getByRole('button', { name: 'Video call (cost: 1)' }).click()
    await dialog.getByRole('alert').filter({ hasText: 'Not enough credits' }).waitFor()
    await shoot(site.page, 'live-video-no-credits')
    await handle.close()
  })

  test(`reload while the server is unreachable, ${width}×${height}`, async () => {
    let unreachable = false
    const site = await sites.open(scriptTag, {
      beforeLoad: async (page) => {
        await page
          .context()
          .route(`${sites.server.url}/v1/**`, (route) =>
            unreachable ? route.abort('connectionrefused') : route.continue(),
          )
        await page
          .context()
          .routeWebSocket(/\/v1\/realtime/, (ws) => (unreachable ? ws.close() : ws.connectToServer()))
      },
    })
    await site.page.setViewportSize({ width, height })
    const { dialog } = await signedInWidget(site.page)
    const topic = `Offline ${width}: Supabase auth loops after deploy`
    await startIn(dialog, topic)
    const handle = await claim(topic)
    await handle.send('Which redirect URL did you set in Supabase?')
    await dialog.getByText('Which redirect URL').waitFor()
    unreachable = true
    await dialog.getByLabel('Write a message').fill('https://example.app/auth/callback')
    await dialog.getByLabel('Write a message').press('Enter')
    await dialog.getByText('Sending…').waitFor()
    await site.page.reload()
    await site.page.getByRole('button', { name: 'Ask a human', exact: true }).click()
    await dialog.getByText('Reconnecting…').waitFor()
    await dialog.getByText('Sending…').waitFor()
    await shoot(site.page, 'live-offline-reload')
    unreachable = false
    await handle.close()
  })

  test(`builder console with a queue and a chat, ${width}×${height}`, async () => {
    const builder = await builderClient()
    const users = await Promise.all(
      ['Nia Okafor', 'Tom Berg', 'Lea Wu'].map((name) => createUser(sites.server, { name, credits: 3 })),
    )
    const topics = [
      ['cursor', 'Cursor agent keeps reverting my edits in utils.ts'],
      ['bolt', 'Bolt preview is blank after adding Tailwind'],
      ['replit', 'Replit deploy says port 3000 is not open'],
    ] as const
    const sessions = []
    for (const [i, person] of users.entries()) {
      const [tool, topic] = topics[i] ?? topics[0]
      const user = createClient({
        baseUrl: sites.server.url,
        appId: DEMO.appId,
        storage: memoryStorage(),
        WebSocket,
      })
      sites.defer(() => user.destroy())
      await user.auth.signIn({ email: person.user.email ?? '', password: DEMO.user.password })
      sessions.push({
        user,
        handle: await user.sessions.start({
          tool,
          topic: `${topic} (${width})`,
          ...(i === 0 && {
            context: {
              file: {
                path: 'src/utils.ts',
                language: 'ts',
                content: 'export const sum = (a: number, b: number) => a + b\n',
              },
              error: { message: 'TypeError: sum is not a function' },
            },
          }),
        }),
      })
    }
    const site = await sites.open(builderConsole)
    await site.page.setViewportSize({ width, height })
    await site.page.getByLabel('Email').fill(DEMO.builder.email)
    await site.page.getByLabel('Password').fill(DEMO.builder.password)
    await site.page.getByRole('button', { name: 'Sign in' }).click()
    const queue = site.page.getByRole('region', { name: 'Queue' })
    await queue.getByRole('button', { name: `Claim: ${topics[0][1]} (${width})` }).click()
    const pane = site.page.getByRole('article', { name: `Chat: ${topics[0][1]} (${width})` })
    await pane.waitFor()
    const mine = sessions[0]?.handle
    sites.defer(mine?.$messages.listen(() => {}) ?? (() => {}))
    await mine?.send('It started after I asked the agent to refactor utils.ts. It undoes my fix every time.')
    await pane.getByText('It started after').waitFor()
    await pane.getByLabel('Reply').fill('Check .cursorrules: a rule may tell it to keep the old signature.')
    await pane.getByRole('button', { name: 'Send', exact: true }).click()
    await pane.getByText('Check .cursorrules').waitFor()
    // A new arrival while the builder works: the title and the header announce it.
    const late = await createUser(sites.server, { name: 'Max Late', credits: 3 })
    const lateClient = createClient({
      baseUrl: sites.server.url,
      appId: DEMO.appId,
      storage: memoryStorage(),
      WebSocket,
    })
    sites.defer(() => lateClient.destroy())
    await lateClient.auth.signIn({ email: late.user.email ?? '', password: DEMO.user.password })
    const lateSession = await lateClient.sessions.start({
      tool: 'v0',
      topic: `v0 component renders twice (${width})`,
    })
    await site.page.getByText(`New in the queue: v0 component renders twice (${width})`).waitFor()
    await shoot(site.page, 'live-console')
    // Then video: the user upgrades, the console shows "Join video".
    await mine?.upgradeToVideo()
    await pane.getByRole('link', { name: 'Join video' }).waitFor()
    await pane.getByRole('link', { name: 'Join video' }).scrollIntoViewIfNeeded()
    await shoot(site.page, 'live-video-join-console')
    // Nothing left waiting for the next screens' queue positions.
    for (const { handle } of sessions) await handle.cancel().catch(() => handle.close())
    await lateSession.cancel()
    void builder
  })
}

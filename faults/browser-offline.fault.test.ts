import type { Message } from '@suportra/client/protocol'
import { allMessages, api, createUser, DEMO, startTestServer } from '@suportra/server/testing'
import { afterAll, expect, test } from 'vitest'
import {
  countRequests,
  lostClicks,
  openFromLauncher,
  shownMessages,
  signInThroughWidget,
  startBrowserStack,
  until,
} from './support/browser.js'
import { pause, signedIn } from './support/conversation.js'
import { report } from './support/report.js'
import { SIZES } from './support/sizes.js'
import { settle, sum, tally, type View } from './support/transcript.js'

const cleanup: (() => unknown)[] = []
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn()
})

test(`browser offline + reload: ${SIZES.offlineRounds}× ${SIZES.offlineMessages} messages typed offline in Chromium, then the page reloads`, async ({
  task,
}) => {
  const started = performance.now()
  const server = await startTestServer({
    rateLimits: { send: { points: 100_000, duration: 60 }, auth: { points: 10_000, duration: 60 } },
  })
  cleanup.push(() => server.close())
  const stack = await startBrowserStack(server.url)
  cleanup.push(() => stack.close())
  const user = await createUser(server, { name: 'Offline User', credits: 3 })
  const grace = await signedIn(server.url, DEMO.builder.email)
  cleanup.push(() => grace.destroy())

  const context = await stack.browser.newContext()
  context.setDefaultTimeout(20_000)
  const posts = countRequests(context, 'POST', '/messages')
  // "Offline" for the API: every HTTP route refused and every realtime socket closed, while the
  // vendor's page and the widget's own files still load (so the page can be reloaded).
  let offline = false
  await context.route(`${server.url}/v1/**`, (route) =>
    offline ? route.abort('internetdisconnected') : route.continue(),
  )
  await context.routeWebSocket(/\/v1\/realtime/, (ws) => (offline ? ws.close() : ws.connectToServer()))
  const page = await context.newPage()
  await page.goto(stack.host.url)

  let panel = await signInThroughWidget(page, user.user.email ?? '')
  await panel.getByLabel('Describe the blocker').fill('Offline on a train')
  await panel.getByRole('button', { name: 'Start session' }).click()
  await until('session started', () => panel.getByText('Waiting for a builder').isVisible())
  const listed = await api(server.url, 'GET', '/v1/sessions', { token: user.accessToken })
  const sessionId: string = listed.body.sessions[0].id
  const builder = await grace.builder.claim(sessionId)
  cleanup.push(builder.$messages.listen(() => {}))
  const composer = () => panel.getByLabel('Write a message')
  await until('composer ready', () => composer().isEditable())

  const written = { ada: [] as string[], grace: [] as string[] }
  const outboxKey = `suportra:${DEMO.appId}:outbox:${user.user.id}`
  const outboxAfterReload: number[] = []
  const shownAfterReload: number[] = []
  /** Rounds after which not everything arrived within a minute of coming back online. */
  const undelivered: number[] = []
  for (let round = 0; round < SIZES.offlineRounds; round++) {
    offline = true
    await context.setOffline(true)
    const texts = Array.from({ length: SIZES.offlineMessages }, (_, i) => `ada#${written.ada.length + i}`)
    for (const text of texts) {
      await composer().fill(text)
      await composer().press('Enter')
    }
    written.ada.push(...texts)
    await until('typed offline, shown as sending', async () => {
      const shown = await shownMessages(page)
      return texts.every((t) => shown.some((m) => m.text === t && m.status === 'pending'))
    })
    // The builder answers meanwhile; the user will only see it once back.
    for (let i = 0; i < 2; i++) {
      const text = `grace#${written.grace.length}`
      written.grace.push(text)
      await builder.send(text)
    }

    // Reload with the API still unreachable: the messages come back from the outbox, still pending.
    await context.setOffline(false)
    await page.reload()
    panel = await openFromLauncher(page)
    // What the user sees now (the session list cannot load either), and what the outbox holds.
    await pause(2_000)
    const pendingShown = (await shownMessages(page)).filter((m) => texts.includes(m.text)).length
    shownAfterReload.push(pendingShown)
    if (process.env.FAULTS_SCREENSHOTS) await page.screenshot({ path: `/tmp/offline-reload-${round}.png` })
    outboxAfterReload.push(
      await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '[]').length, outboxKey),
    )

    // Back online: everything goes out once, in order, and the builder sees it.
    offline = false
    const answers = written.grace.slice(-2)
    const delivered = await settle(async () => {
      const shown = await shownMessages(page)
      const builderHas = new Set(builder.$messages.get().map((m) => m.body))
      return (
        [...written.ada, ...written.grace].every((t) => builderHas.has(t)) &&
        shown.every((m) => m.status === 'sent') &&
        [...texts, ...answers].every((t) => shown.some((m) => m.text === t))
      )
    }, 60_000)
    if (!delivered) undelivered.push(round + 1)
  }

  const stored: Message[] = await allMessages(server.url, user.accessToken, sessionId)
  const shown = await shownMessages(page)
  const chat = stored.filter((m) => m.kind !== 'event')
  const used = new Set<string>()
  // After a reload the widget shows the newest page (50); older ones load when scrolled to.
  const firstShown = chat.find((m) => m.body === shown[0]?.text)?.seq ?? 0
  const pageView: View = {
    name: 'Chromium',
    chatOnly: true,
    fromSeq: firstShown,
    messages: shown.map((m) => {
      const match =
        chat.find((s) => s.body === m.text && !used.has(s.id)) ?? chat.find((s) => s.body === m.text)
      if (match) used.add(match.id)
      return {
        id: match?.id ?? `not stored: ${m.text}`,
        seq: match?.seq ?? null,
        status: m.status as 'sent',
        body: m.text,
        author: match?.author ?? 'user',
      }
    }),
  }
  const result = sum([
    tally(
      new Map([
        ['ada', written.ada],
        ['grace', written.grace],
      ]),
      stored,
      [{ name: 'builder', messages: builder.$messages.get() }],
    ),
    tally(new Map(), stored, [pageView]),
  ])

  report(task, started, {
    scenario: 'Chromium offline + reload',
    runs: SIZES.offlineRounds,
    messages: written.ada.length + written.grace.length,
    lost: result.lost,
    duplicated: result.duplicated,
    outOfOrder: result.outOfOrder,
    overcharged: 0,
    notes: {
      'typed offline': written.ada.length,
      'in the outbox after reload': outboxAfterReload.join('/'),
      'shown while still offline after reload': shownAfterReload.join('/'),
      'message POSTs (retries included)': posts(),
      'launcher clicks lost': lostClicks.count,
      'older than the page shown (load on scroll)': chat.filter((m) => m.seq < firstShown).length,
      ...(undelivered.length && { 'rounds not delivered within 60 s': undelivered.join(', ') }),
      ...(result.problems.length && { problems: result.problems.slice(0, 5).join('; ') }),
    },
  })
  expect(outboxAfterReload.every((n) => n === SIZES.offlineMessages)).toBe(true)
})

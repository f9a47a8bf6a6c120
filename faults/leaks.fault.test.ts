import type { Message } from '@suportra/client/protocol'
import { allMessages, api, createUser, DEMO, startTestServer } from '@suportra/server/testing'
import type { CDPSession, Page } from 'playwright-core'
import { afterAll, expect, test } from 'vitest'
import {
  openFromLauncher,
  panelOf,
  signInThroughWidget,
  startBrowserStack,
  until,
} from './support/browser.js'
import {
  converse,
  keepSending,
  makeClient,
  pause,
  signedIn,
  tallyConversation,
} from './support/conversation.js'
import { report } from './support/report.js'
import { type Random, SEED, SIZES, seeded } from './support/sizes.js'
import { settle } from './support/transcript.js'

const cleanup: (() => unknown)[] = []
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn()
})

/** Live sockets and timers of this process, by kind (what keeps the event loop busy). */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}
const delta = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(
    [...new Set([...Object.keys(after), ...Object.keys(before)])]
      .map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)] as const)
      .filter(([, d]) => d !== 0),
  )
const heapMb = () => {
  globalThis.gc?.()
  return process.memoryUsage().heapUsed / 1024 / 1024
}

/** Counts the page's live timers, intervals and open WebSockets (installed before any script runs). */
function instrument() {
  const w = window as unknown as Record<string, unknown> & typeof globalThis
  const timers = new Set<unknown>()
  const intervals = new Set<unknown>()
  const sockets = new Set<WebSocket>()
  const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci, WebSocket: WS } = window
  w.setTimeout = ((fn: TimerHandler, ms?: number, ...args: unknown[]) => {
    if (typeof fn !== 'function') return st(fn, ms, ...args)
    const id = st(
      (...a: unknown[]) => {
        timers.delete(id)
        fn(...a)
      },
      ms,
      ...args,
    )
    timers.add(id)
    return id
  }) as typeof setTimeout
  w.clearTimeout = ((id?: number) => {
    timers.delete(id)
    ct(id)
  }) as typeof clearTimeout
  w.setInterval = ((...args: Parameters<typeof setInterval>) => {
    const id = si(...args)
    intervals.add(id)
    return id
  }) as typeof setInterval
  w.clearInterval = ((id?: number) => {
    intervals.delete(id)
    ci(id)
  }) as typeof clearInterval
  w.WebSocket = class extends WS {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      sockets.add(this)
      this.addEventListener('close', () => sockets.delete(this))
    }
  }
  w.__live = () => ({
    timers: timers.size,
    intervals: intervals.size,
    sockets: [...sockets].filter((s) => s.readyState <= 1).length,
  })
}

async function pageCounts(page: Page, cdp: CDPSession) {
  await cdp.send('HeapProfiler.collectGarbage')
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[]
  }
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0
  const live = await page.evaluate(() => (window as unknown as { __live(): Record<string, number> }).__live())
  return {
    listeners: metric('JSEventListeners'),
    nodes: metric('Nodes'),
    heapMb: metric('JSHeapUsedSize') / 1024 / 1024,
    timers: live.timers ?? 0,
    intervals: live.intervals ?? 0,
    sockets: live.sockets ?? 0,
  }
}

/**
 * A user and a builder exchange `SIZES.leakMessages` messages; then both clients are destroyed.
 * Only numbers and weak references leave this function, so nothing here keeps the clients alive.
 */
async function exchangeAndDestroy(url: string, random: Random) {
  const ada = makeClient(url)
  await ada.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  const grace = await signedIn(url, DEMO.builder.email)
  const conversation = await converse(['ada', 'grace'], ada, grace, 'Leak hunt')
  const sides = [conversation.user, conversation.builder]
  const perSide = Math.ceil(SIZES.leakMessages / 2)
  await Promise.all(
    sides.map((side) => keepSending(side, random, [0, 2], () => false, { max: perSide, backlog: 20 })),
  )
  await Promise.all(sides.flatMap((s) => s.sends))
  const token = (
    await api(url, 'POST', '/v1/auth/sign-in', {
      app: DEMO.appId,
      body: { email: DEMO.user.email, password: DEMO.user.password },
    })
  ).body.accessToken as string
  let stored: Message[] = []
  await settle(async () => {
    stored = await allMessages(url, token, conversation.sessionId)
    return sides.every((s) => s.handle.$messages.get().length === stored.length)
  }, 60_000)
  const result = tallyConversation(stored, conversation)
  const heapWithTranscripts = heapMb()
  conversation.stop()
  ada.destroy()
  grace.destroy()
  return {
    result,
    written: sides.reduce((n, s) => n + s.written.length, 0),
    heapWithTranscripts,
    clients: [new WeakRef(ada), new WeakRef(grace)],
  }
}

/** Whether every object is gone after a few full collections (each in a task of its own). */
async function garbageCollected(refs: WeakRef<object>[]): Promise<boolean> {
  for (let i = 0; i < 10 && refs.some((r) => r.deref()); i++) {
    await pause(200)
    globalThis.gc?.()
    await pause(0)
  }
  return refs.every((r) => !r.deref())
}

test(`leaks: ${SIZES.leakMessages} messages through one client pair, ${SIZES.widgetCycles} widget open/close cycles in Chromium`, async ({
  task,
}) => {
  const started = performance.now()
  const random = seeded(SEED + 4)
  const server = await startTestServer({
    rateLimits: { send: { points: 1_000_000, duration: 60 }, auth: { points: 10_000, duration: 60 } },
  })
  cleanup.push(() => server.close())

  // Node: a user and a builder exchange messages; afterwards both are destroyed.
  await pause(500)
  const before = resources()
  const heapBefore = heapMb()
  const node = await exchangeAndDestroy(server.url, random)
  // Keep-alive sockets close after their idle timeout (5 s on the server).
  let leftOver: Record<string, number> = {}
  await settle(() => {
    leftOver = delta(resources(), before)
    return Object.keys(leftOver).length === 0
  }, 15_000)
  const heapAfter = heapMb()
  const collected = await garbageCollected(node.clients)

  // Chromium: the widget opened and closed over and over, in a signed-in session with a transcript.
  const stack = await startBrowserStack(server.url)
  cleanup.push(() => stack.close())
  const user = await createUser(server, { name: 'Leaky User', credits: 2 })
  const context = await stack.browser.newContext()
  context.setDefaultTimeout(20_000)
  await context.addInitScript(instrument)
  const page = await context.newPage()
  await page.goto(stack.host.url)
  const panel = await signInThroughWidget(page, user.user.email ?? '')
  await panel.getByLabel('Describe the blocker').fill('Leaky widget')
  await panel.getByRole('button', { name: 'Start session' }).click()
  await until('session started', () => panel.getByText('Waiting for a builder').isVisible())
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  const toggle = async (open: boolean) => {
    await page.evaluate(
      (name) => (window as unknown as { Suportra(n: string): void }).Suportra(name),
      open ? 'open' : 'close',
    )
    await until(open ? 'open' : 'closed', async () => (await panelOf(page).isVisible()) === open)
  }
  await toggle(false)
  // Closed, the socket lingers 1 s and the stores unmount 1 s after their last listener.
  await pause(3_000)
  const pageBefore = await pageCounts(page, cdp)
  for (let i = 0; i < SIZES.widgetCycles; i++) {
    await toggle(true)
    await toggle(false)
  }
  await pause(3_000)
  const pageAfter = await pageCounts(page, cdp)
  await openFromLauncher(page)

  const grew = {
    listeners: pageAfter.listeners - pageBefore.listeners,
    timers: pageAfter.timers - pageBefore.timers,
    intervals: pageAfter.intervals - pageBefore.intervals,
    sockets: pageAfter.sockets - pageBefore.sockets,
    nodes: pageAfter.nodes - pageBefore.nodes,
  }
  const round = (n: number) => Math.round(n * 10) / 10
  report(task, started, {
    scenario: 'leaks',
    runs: SIZES.widgetCycles,
    messages: node.written,
    lost: node.result.lost,
    duplicated: node.result.duplicated,
    outOfOrder: node.result.outOfOrder,
    overcharged: 0,
    notes: {
      'Node heap MB before / with 2 transcripts / after destroy': `${round(heapBefore)} / ${round(node.heapWithTranscripts)} / ${round(heapAfter)}`,
      'Node sockets and timers left': JSON.stringify(leftOver),
      'destroyed clients garbage-collected': collected ? 'yes' : 'no',
      'widget listeners': `${pageBefore.listeners} → ${pageAfter.listeners}`,
      'widget timers': `${pageBefore.timers} → ${pageAfter.timers}`,
      'widget intervals': `${pageBefore.intervals} → ${pageAfter.intervals}`,
      'widget sockets': `${pageBefore.sockets} → ${pageAfter.sockets}`,
      'DOM nodes': `${pageBefore.nodes} → ${pageAfter.nodes}`,
      'page heap MB': `${round(pageBefore.heapMb)} → ${round(pageAfter.heapMb)}`,
      ...(node.result.problems.length && { problems: node.result.problems.slice(0, 5).join('; ') }),
    },
  })
  expect({ leftOver, collected, ...grew }).toEqual({
    leftOver: {},
    collected: true,
    listeners: 0,
    timers: 0,
    intervals: 0,
    sockets: 0,
    nodes: 0,
  })
})

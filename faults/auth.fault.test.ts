import { memoryStorage, type SuportraClient } from '@suportra/client'
import { createUser, DEMO, startTestServer } from '@suportra/server/testing'
import { afterAll, expect, test } from 'vitest'
import {
  countRequests,
  lostClicks,
  openFromLauncher,
  signInThroughWidget,
  startBrowserStack,
  storedAuth,
  until,
} from './support/browser.js'
import { makeClient, pause } from './support/conversation.js'
import { report } from './support/report.js'
import { SIZES } from './support/sizes.js'

const cleanup: (() => unknown)[] = []
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn()
})

const AUTH_KEY = `suportra:${DEMO.appId}:auth`
const CLIENTS = 10
const TABS = 10

/** Marks the stored access token as expiring now, so the next request of every sharer must refresh. */
function expire(storage: ReturnType<typeof memoryStorage>) {
  const auth = JSON.parse(storage.getItem(AUTH_KEY) ?? '{}')
  storage.setItem(AUTH_KEY, JSON.stringify({ ...auth, expiresAt: Date.now() - 1_000 }))
}

test(`auth under concurrency: ${CLIENTS} Node clients × ${SIZES.refreshRounds} and ${TABS} Chromium tabs × ${SIZES.tabRefreshRounds} simultaneous refreshes`, async ({
  task,
}) => {
  const started = performance.now()
  // No grace window: a refresh token presented twice, even a millisecond apart, signs everyone out.
  const server = await startTestServer({
    refreshGraceMs: 0,
    rateLimits: { send: { points: 100_000, duration: 60 }, auth: { points: 100_000, duration: 60 } },
  })
  cleanup.push(() => server.close())

  // Node: ten clients over one storage (one process, as in a script with several workers).
  const storage = memoryStorage()
  let refreshes = 0
  const counting: typeof fetch = (input, init) => {
    if (String(input).endsWith('/v1/auth/refresh')) refreshes++
    return fetch(input, init)
  }
  const owner = makeClient(server.url, { storage })
  await owner.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  const clients: SuportraClient[] = Array.from({ length: CLIENTS }, () =>
    makeClient(server.url, { storage, fetch: counting }),
  )
  cleanup.push(() => {
    for (const client of [owner, ...clients]) client.destroy()
  })
  const firstRefreshToken = JSON.parse(storage.getItem(AUTH_KEY) ?? '{}').refreshToken as string
  let extraRefreshes = 0
  let failedCalls = 0
  for (let round = 0; round < SIZES.refreshRounds; round++) {
    const before = refreshes
    expire(storage)
    const results = await Promise.allSettled(clients.map((client) => client.credits.refresh()))
    failedCalls += results.filter((r) => r.status === 'rejected').length
    extraRefreshes += Math.max(0, refreshes - before - 1)
  }
  const nodeSignOuts = clients.filter((client) => client.$user.get() === null).length
  const nodeRefreshes = refreshes

  // A stolen refresh token, already rotated away, is presented: the whole sign-in is revoked.
  const replay = await fetch(`${server.url}/v1/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: firstRefreshToken }),
  })
  expire(storage)
  const afterTheft = await Promise.allSettled(clients.map((client) => client.credits.refresh()))
  // (Clients sharing a memory storage get no storage event: the sign-in is gone from the storage,
  // and each client's next call fails as unauthorized.)
  const revoked =
    replay.status === 401 &&
    afterTheft.every(
      (r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'unauthorized',
    ) &&
    storage.getItem(AUTH_KEY) === null

  // Chromium: ten tabs of one vendor page share localStorage and Web Locks; all open the widget at
  // once. A write to localStorage reaches other tabs a moment after it is made, so the client waits
  // that moment under the lock before reading (docs/reliability.md). Should a second refresh of one
  // token still happen, this server's production grace window (10 s) absorbs it; counted below.
  const tabServer = await startTestServer({
    rateLimits: { send: { points: 100_000, duration: 60 }, auth: { points: 100_000, duration: 60 } },
  })
  cleanup.push(() => tabServer.close())
  const stack = await startBrowserStack(tabServer.url)
  cleanup.push(() => stack.close())
  const user = await createUser(tabServer, { name: 'Tab User', credits: 1 })
  const context = await stack.browser.newContext()
  context.setDefaultTimeout(20_000)
  const tabRefreshes = countRequests(context, 'POST', '/v1/auth/refresh')
  const first = await context.newPage()
  await first.goto(stack.host.url)
  await signInThroughWidget(first, user.user.email ?? '')
  const tabs = [first]
  for (let i = 1; i < TABS; i++) {
    const tab = await context.newPage()
    await tab.goto(stack.host.url)
    await openFromLauncher(tab)
    tabs.push(tab)
  }
  const close = (tab: (typeof tabs)[number]) =>
    tab.evaluate(() => (window as unknown as { Suportra(...args: unknown[]): void }).Suportra('close'))
  const open = (tab: (typeof tabs)[number]) =>
    tab.evaluate(() => (window as unknown as { Suportra(...args: unknown[]): void }).Suportra('open'))
  let tabExtra = 0
  let tabMissed = 0
  for (let round = 0; round < SIZES.tabRefreshRounds; round++) {
    await Promise.all(tabs.map(close))
    // Everyone lets go (the socket lingers 1 s, stores unmount after 1 s), then the token expires.
    await pause(1_300)
    await first.evaluate((key) => {
      const stored = localStorage.getItem(key)
      if (stored)
        localStorage.setItem(key, JSON.stringify({ ...JSON.parse(stored), expiresAt: Date.now() - 1_000 }))
    }, AUTH_KEY)
    const before = tabRefreshes()
    await Promise.all(tabs.map(open))
    const renewed = await until('a tab refreshed', async () => tabRefreshes() > before, 15_000).then(
      () => true,
      () => false,
    )
    if (!renewed) tabMissed++
    await pause(300)
    tabExtra += Math.max(0, tabRefreshes() - before - 1)
  }
  const tabSignOuts = (await Promise.all(tabs.map(storedAuth))).filter((auth) => auth === null).length
  const signedOutPanels = (
    await Promise.all(tabs.map((tab) => tab.getByRole('button', { name: 'Sign in' }).isVisible()))
  ).filter(Boolean).length

  report(task, started, {
    scenario: 'auth refresh under concurrency',
    runs: SIZES.refreshRounds + SIZES.tabRefreshRounds,
    messages: SIZES.refreshRounds * CLIENTS + SIZES.tabRefreshRounds * TABS,
    lost: 0,
    duplicated: extraRefreshes,
    outOfOrder: 0,
    overcharged: 0,
    notes: {
      'Node refreshes': nodeRefreshes,
      'Node sign-outs': nodeSignOuts,
      'Node calls failed': failedCalls,
      'tab refreshes': tabRefreshes(),
      'second refreshes of one token in tabs (absorbed by the grace window)': tabExtra,
      'tab rounds without a refresh': tabMissed,
      'tab sign-outs': Math.max(tabSignOuts, signedOutPanels),
      'stolen token revoked the sign-in': revoked ? 'yes' : 'NO',
      'launcher clicks lost': lostClicks.count,
    },
  })
  expect({ nodeSignOuts, failedCalls, tabSignOuts, signedOutPanels, tabMissed, revoked }).toEqual({
    nodeSignOuts: 0,
    failedCalls: 0,
    tabSignOuts: 0,
    signedOutPanels: 0,
    tabMissed: 0,
    revoked: true,
  })
  expect(nodeRefreshes).toBe(SIZES.refreshRounds)
  // Tabs wait for the lock and then read storage after a short settle (auth/tokens.ts): a second
  // refresh of one token was not seen in 1,000 rounds and is harmless (the grace window), so one in
  // fifty rounds is tolerated; tabs that refresh each (several extra per round) fail here.
  expect(tabExtra).toBeLessThanOrEqual(Math.ceil(SIZES.tabRefreshRounds / 50))
})

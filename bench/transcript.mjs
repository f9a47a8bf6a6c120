// Transcript rendering in real Chromium: a session with 1,000 and 10,000 messages (seeded straight
// into the database), opened in the production widget bundle.
//   first open      what a user gets: click → panel painted with the newest page (the widget loads
//                   the newest 50), then scroll frame times over that list.
//   whole history   every older page fetched through the widget's own client (`loadOlder()` until
//                   the start) while the panel is open, then scroll frame times over the full list,
//                   then the panel closed and opened again: time to paint all N messages at once.
// Scrolling: the message list's scrollTop moves 3,000 px/s (a brisk flick), set in
// requestAnimationFrame for 1.5 s, bouncing at the ends; frame time = delta between rAF callbacks.
//   sending         the user sends a message: time until it shows, with the newest page held and with
//                   the whole history held.
// The history is paged in with the panel open at every size (`--open-paging N` pages it in with the
// panel closed above N messages: before the transcript became a virtual list each page re-rendered
// the whole list, and 10,000 took about two minutes).
// Usage: node bench/transcript.mjs [--runs 3] [--open-paging N] [sizes ...]   (prints JSON)
import { fileURLToPath } from 'node:url'
import { startHostServer } from '../examples/host-server.mjs'
import { call, DEMO_BUILDER, signIn } from './lib/api.mjs'
import { startChild } from './lib/child.mjs'
import { chromiumVersion, launchBrowser, openPage } from './lib/chromium.mjs'
import { figure, figures } from './lib/stats.mjs'

const pagesDir = fileURLToPath(new URL('./pages/', import.meta.url))
const PAGE = 50
const SCROLL_PX_PER_S = 3000
const SCROLL_MS = 1500
/** Fetching the whole 10k history through the open panel can take long; stop waiting after this. */
const HISTORY_TIMEOUT_MS = 120_000
const log = (...args) => console.error('[transcript]', ...args)

/** One user with one active session holding `total` messages. */
async function seededSession(server, total) {
  const email = `transcript-${total}-${Date.now()}@example.com`
  const user = await call(server.url, 'POST', '/v1/auth/sign-up', {
    body: { name: 'Transcript Reader', email, password: 'demo-password', ageConfirmed: true },
  })
  await server.request('grant', { userIds: [user.user.id] })
  const { session } = await call(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'cursor', topic: `A long session (${total} messages)` },
  })
  const builder = await signIn(server.url, DEMO_BUILDER)
  const claimed = await call(server.url, 'POST', `/v1/builder/sessions/${session.id}/claim`, {
    token: builder.accessToken,
  })
  await server.request('seed', {
    sessionId: session.id,
    count: total - claimed.session.lastSeq,
    userId: user.user.id,
    builderId: builder.user.id,
  })
  return { email, sessionId: session.id }
}

// ---- in the page ----

/**
 * Resolves with the time of the first frame painted once the list holds `count` messages: its rows, or
 * for a long transcript (a virtual list, with the rows near the visible part in the DOM) the size of the
 * whole its rows say they belong to (`aria-setsize`, which counts the line above the first message too).
 */
function paintedWith(count) {
  return new Promise((resolve) => {
    const check = () => {
      const list = document.querySelector('suportra-widget')?.shadowRoot?.querySelector('ol.messages')
      const held =
        list && (Number(list.firstElementChild?.getAttribute('aria-setsize')) || list.children.length)
      if (!held || held < count) return requestAnimationFrame(check)
      requestAnimationFrame(() => resolve(performance.now()))
    }
    check()
  })
}

/** Resolves with the time of the first frame painted once a row of the list shows `text`. */
function paintedText(text) {
  return new Promise((resolve) => {
    const check = () => {
      const list = document.querySelector('suportra-widget')?.shadowRoot?.querySelector('ol.messages')
      if (!list || ![...list.children].some((li) => li.textContent?.includes(text)))
        return requestAnimationFrame(check)
      requestAnimationFrame(() => resolve(performance.now()))
    }
    check()
  })
}

async function firstOpen({ count }) {
  performance.clearResourceTimings()
  const start = performance.now()
  window.__widget.open()
  const painted = await window.__paintedWith(count)
  const requests = performance
    .getEntriesByType('resource')
    .filter((e) => e.name.includes('/v1/'))
    .map((e) => ({
      path: new URL(e.name).pathname.replace(/ses_[\w-]+/, ':id'),
      start: e.startTime - start,
      end: e.responseEnd - start,
    }))
  return { ms: painted - start, requests }
}

async function scrollFrames({ pxPerSecond, durationMs }) {
  // The log scrolls (the list inside it does not); it is reversed: 0 at the newest message, negative above.
  const log = document.querySelector('suportra-widget').shadowRoot.querySelector('.log')
  const list = log.querySelector('ol.messages')
  const max = log.scrollHeight - log.clientHeight
  const deltas = []
  let direction = 1
  let distance = -log.scrollTop
  let last = performance.now()
  const end = last + durationMs
  await new Promise((resolve) => {
    const frame = (now) => {
      const delta = now - last
      deltas.push(delta)
      last = now
      let next = distance + (direction * pxPerSecond * delta) / 1000
      if (next <= 0 || next >= max) {
        direction = -direction
        next = Math.min(max, Math.max(0, next))
      }
      distance = next
      log.scrollTop = -next
      if (now < end) requestAnimationFrame(frame)
      else resolve()
    }
    requestAnimationFrame((now) => {
      last = now
      requestAnimationFrame(frame)
    })
  })
  log.scrollTop = 0
  return { deltas, scrollHeight: log.scrollHeight, nodes: list.querySelectorAll('*').length }
}

/** Fetches every older page through the widget's client; with the panel open, until it is painted. */
async function loadHistory({ sessionId, timeoutMs, panelOpen }) {
  const handle = window.__widget.client.sessions.get(sessionId)
  if (!panelOpen) {
    window.__widget.close()
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  }
  const start = performance.now()
  let pages = 0
  while (performance.now() - start < timeoutMs) {
    pages++
    if (!(await handle.loadOlder())) break
  }
  const held = handle.$messages.get().length
  const end = panelOpen ? await window.__paintedWith(held) : performance.now()
  return { ms: end - start, pages, held }
}

/** Opens the panel (closing it first if needed) and times the first frame with `count` messages. */
async function reopen({ count }) {
  window.__widget.close()
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  const start = performance.now()
  window.__widget.open()
  return (await window.__paintedWith(count)) - start
}

/** The user sends a message: time until it shows (optimistically) in a painted frame. */
async function sendPainted({ sessionId, text }) {
  const start = performance.now()
  const sent = window.__widget.client.sessions.get(sessionId).send(text)
  const painted = await window.__paintedText(text)
  await sent
  return painted - start
}

// ---- driver ----

function frameStats(deltas) {
  const sorted = [...deltas].sort((a, b) => a - b)
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
  return {
    p50: at(50),
    p95: at(95),
    max: sorted.at(-1),
    // A frame longer than 1.5 × 16.7 ms missed at least one vsync at 60 Hz.
    janky: deltas.filter((d) => d > 25).length / deltas.length,
    frames: deltas.length,
  }
}

async function runOnce(browser, host, session, total, panelOpen) {
  const { context, page, cdp } = await openPage(browser)
  try {
    await page.goto(`${host.url}/transcript.html`)
    await page.waitForFunction(() => window.__widget)
    await page.evaluate(`window.__paintedWith = ${paintedWith}; window.__paintedText = ${paintedText}`)
    await page.evaluate(
      ({ email }) => window.__widget.client.auth.signIn({ email, password: 'demo-password' }),
      { email: session.email },
    )
    const scroll = () => page.evaluate(scrollFrames, { pxPerSecond: SCROLL_PX_PER_S, durationMs: SCROLL_MS })
    const { sessionId } = session
    const opened = await page.evaluate(firstOpen, { count: Math.min(PAGE, total) })
    const result = { firstPaint: opened.ms, openRequests: opened.requests }
    result.firstScroll = await scroll()
    result.firstSend = await page.evaluate(sendPainted, { sessionId, text: 'Thanks, that fixed it!' })
    result.history = {
      ...(await page.evaluate(loadHistory, { sessionId, timeoutMs: HISTORY_TIMEOUT_MS, panelOpen })),
      panelOpen,
    }
    result.reopenPaint = await page.evaluate(reopen, { count: result.history.held })
    result.fullScroll = await scroll()
    if (process.env.BENCH_DEBUG) {
      log('full scroll deltas', result.fullScroll.deltas.map(Math.round).join(' '))
      log('again', (await scroll()).deltas.map(Math.round).join(' '))
    }
    result.fullSend = await page.evaluate(sendPainted, { sessionId, text: 'And the second one too, thanks!' })
    await cdp.send('HeapProfiler.collectGarbage')
    result.heap = (await cdp.send('Runtime.getHeapUsage')).usedSize
    return result
  } finally {
    await context.close()
  }
}

export async function measureTranscript({ sizes = [1000, 10000], runs = 3, openPagingUpTo = Infinity } = {}) {
  const server = await startChild(new URL('./serve.mjs', import.meta.url))
  const host = await startHostServer({ root: pagesDir, apiUrl: server.url })
  const browser = await launchBrowser()
  const results = []
  try {
    for (const total of sizes) {
      const session = await seededSession(server, total)
      const raw = []
      for (let run = 0; run < runs; run++) {
        const r = await runOnce(browser, host, session, total, total <= openPagingUpTo)
        raw.push(r)
        log(
          `${total} messages, run ${run + 1}/${runs}: first paint ${r.firstPaint.toFixed(0)} ms,`,
          `send ${r.firstSend.toFixed(0)} ms; history ${r.history.pages} pages in ${r.history.ms.toFixed(0)} ms`,
          `(${r.history.held} held, panel ${r.history.panelOpen ? 'open' : 'closed'}), open with all ${r.reopenPaint.toFixed(0)} ms,`,
          `scroll p95 ${frameStats(r.fullScroll.deltas).p95.toFixed(1)} ms, send ${r.fullSend.toFixed(0)} ms, ${r.fullScroll.nodes} nodes`,
        )
      }
      const scroll = (key) => {
        const stats = raw.map((r) => frameStats(r[key].deltas))
        return {
          ...figures(stats, { p50: 'ms', p95: 'ms', max: 'ms' }),
          janky: figure(
            stats.map((s) => s.janky * 100),
            '%',
          ),
          frames: figure(
            stats.map((s) => s.frames),
            '',
          ),
          nodes: raw[0][key].nodes,
          scrollHeight: raw[0][key].scrollHeight,
        }
      }
      results.push({
        messages: total,
        firstPaint: figure(
          raw.map((r) => r.firstPaint),
          'ms',
        ),
        firstScroll: scroll('firstScroll'),
        history: figure(
          raw.map((r) => r.history.ms),
          'ms',
        ),
        openRequests: raw[0].openRequests,
        historyPages: raw[0].history.pages,
        historyPanelOpen: raw[0].history.panelOpen,
        firstSend: figure(
          raw.map((r) => r.firstSend),
          'ms',
        ),
        fullSend: figure(
          raw.map((r) => r.fullSend),
          'ms',
        ),
        historyComplete: raw.every((r) => r.history.held >= total),
        fullScroll: scroll('fullScroll'),
        reopenPaint: figure(
          raw.map((r) => r.reopenPaint),
          'ms',
        ),
        heap: figure(
          raw.map((r) => r.heap / 1e6),
          'MB',
        ),
      })
    }
    return {
      chromium: await chromiumVersion(browser),
      cpuThrottling: 1,
      scroll: { pxPerSecond: SCROLL_PX_PER_S, ms: SCROLL_MS },
      results,
    }
  } finally {
    await browser.close()
    await host.close()
    await server.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  const runsAt = args.indexOf('--runs')
  const runs = runsAt === -1 ? 3 : Number(args.splice(runsAt, 2)[1])
  const pagingAt = args.indexOf('--open-paging')
  const openPagingUpTo = pagingAt === -1 ? Infinity : Number(args.splice(pagingAt, 2)[1])
  const sizes = args.map(Number).filter(Boolean)
  console.log(
    JSON.stringify(
      await measureTranscript({ runs, openPagingUpTo, ...(sizes.length && { sizes }) }),
      null,
      2,
    ),
  )
}

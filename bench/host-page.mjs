// Host page cost in real Chromium with 4× CPU throttling: a plain page, the same page with our
// script tag as the README shows it (nothing more until the user reaches for the launcher), and
// with the opt-in `data-load="idle"` (the loader fetches the widget when the browser is idle). For each load:
// long tasks and total blocking time, the load event, and the bytes transferred before any
// interaction; then the time from pressing the launcher to the panel being usable (the sign-in
// email field focused, and a frame painted after it).
// Usage: node bench/host-page.mjs [--runs 7]   (prints JSON)
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants } from 'node:zlib'
import { startHostServer } from '../examples/host-server.mjs'
import { startChild } from './lib/child.mjs'
import { chromiumVersion, launchBrowser, openPage } from './lib/chromium.mjs'
import { figure, figures, sum } from './lib/stats.mjs'

export const CPU_THROTTLING = 4
/** The page counts as settled once no request started or ended for this long (and ≥ 2 s after load). */
const QUIET_MS = 1500
const LONG_TASK_MS = 50

const pagesDir = fileURLToPath(new URL('./pages/', import.meta.url))
const log = (...args) => console.error('[host-page]', ...args)

/** Runs in the page before its own scripts: long tasks, and when the user first pressed anything. */
function instrument() {
  const bench = { longTasks: [], ourScripts: [], pointerDown: undefined, interactiveAt: undefined }
  Object.defineProperty(window, '__bench', { value: bench })
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      bench.longTasks.push({ start: entry.startTime, duration: entry.duration })
  }).observe({ type: 'longtask', buffered: true })
  // Long animation frames name the scripts that ran in them: what our files cost inside long frames.
  new PerformanceObserver((list) => {
    for (const frame of list.getEntries())
      for (const script of frame.scripts)
        if (/\/widget(\.js|\/)/.test(script.sourceURL))
          bench.ourScripts.push({ start: script.startTime, duration: script.duration, frame: frame.duration })
  }).observe({ type: 'long-animation-frame', buffered: true })
  addEventListener(
    'pointerdown',
    (event) => {
      bench.pointerDown ??= event.timeStamp
    },
    { capture: true },
  )
}

/** In the page: resolves at the first frame after the panel's email field has focus. */
function whenInteractive() {
  return new Promise((resolve) => {
    const check = () => {
      const focused = [...document.querySelectorAll('suportra-widget')].some((host) =>
        host.shadowRoot?.activeElement?.matches('input[type=email]'),
      )
      if (!focused) return requestAnimationFrame(check)
      requestAnimationFrame(() => {
        window.__bench.interactiveAt = performance.now()
        resolve()
      })
    }
    requestAnimationFrame(check)
  })
}

const brotliCache = new Map()
async function brotliSize(url) {
  if (!brotliCache.has(url)) {
    const body = Buffer.from(await (await fetch(url)).arrayBuffer())
    brotliCache.set(
      url,
      brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    )
  }
  return brotliCache.get(url)
}

async function loadOnce(browser, url, { interact }) {
  const { context, page, cdp } = await openPage(browser, { cpuThrottling: CPU_THROTTLING })
  try {
    await page.addInitScript(instrument)
    const requests = new Map()
    const sockets = []
    let lastActivity = Date.now()
    cdp.on('Network.requestWillBeSent', (event) => {
      lastActivity = Date.now()
      requests.set(event.requestId, { url: event.request.url, bytes: 0, done: false })
    })
    cdp.on('Network.loadingFinished', (event) => {
      lastActivity = Date.now()
      const request = requests.get(event.requestId)
      if (request) Object.assign(request, { bytes: event.encodedDataLength, done: true })
    })
    cdp.on('Network.webSocketCreated', (event) => sockets.push(event.url))
    await cdp.send('Network.enable')

    await page.goto(url, { waitUntil: 'load' })
    const loadedAt = Date.now()
    const atLoad = sum([...requests.values()].map((r) => r.bytes))
    while (Date.now() - lastActivity < QUIET_MS || Date.now() - loadedAt < 2000)
      await new Promise((r) => setTimeout(r, 100))

    const settled = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0]
      return {
        longTasks: window.__bench.longTasks,
        ourScripts: window.__bench.ourScripts,
        loadEvent: nav.loadEventEnd,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
        storage: localStorage.length + sessionStorage.length,
        cookies: document.cookie.length,
      }
    })
    const finished = [...requests.values()].filter((r) => r.done)
    const result = {
      tasks: settled.longTasks.map((t) => `${t.start.toFixed(0)}+${t.duration.toFixed(0)}`).join(' '),
      longTasks: settled.longTasks.length,
      longestTask: Math.max(0, ...settled.longTasks.map((t) => t.duration)),
      tbt: sum(settled.longTasks.map((t) => Math.max(0, t.duration - LONG_TASK_MS))),
      tbtAfterLoad: sum(
        settled.longTasks
          .filter((t) => t.start >= settled.loadEvent)
          .map((t) => Math.max(0, t.duration - LONG_TASK_MS)),
      ),
      ourScriptInLongFrames: sum(settled.ourScripts.map((s) => s.duration)),
      ourLongestFrame: Math.max(0, ...settled.ourScripts.map((s) => s.frame)),
      loadEvent: settled.loadEvent,
      fcp: settled.fcp,
      bytesAtLoad: atLoad,
      bytes: sum(finished.map((r) => r.bytes)),
      brotliBytes: sum(await Promise.all(finished.map((r) => brotliSize(r.url)))),
      requests: finished.map((r) => new URL(r.url).pathname),
      socketsBeforeInteraction: sockets.length,
      storageBeforeInteraction: settled.storage + settled.cookies,
    }
    if (interact) {
      const before = new Set(requests.keys())
      const interactive = page.evaluate(whenInteractive)
      await page.getByRole('button', { name: 'Ask a human' }).click()
      await interactive
      const times = await page.evaluate(() => window.__bench)
      result.clickToInteractive = times.interactiveAt - times.pointerDown
      // What opening fetched (scripts, API calls), once the responses in flight have finished.
      await new Promise((r) => setTimeout(r, 500))
      const opened = [...requests.entries()].filter(([id, r]) => !before.has(id) && r.done).map(([, r]) => r)
      result.bytesToOpen = sum(opened.map((r) => r.bytes))
      result.brotliBytesToOpen = sum(
        await Promise.all(
          opened.filter((r) => /\.js$/.test(new URL(r.url).pathname)).map((r) => brotliSize(r.url)),
        ),
      )
      result.requestsToOpen = opened.map((r) => new URL(r.url).pathname)
    }
    return result
  } finally {
    await context.close()
  }
}

export async function measureHostPage({ runs = 7 } = {}) {
  const server = await startChild(new URL('./serve.mjs', import.meta.url))
  const host = await startHostServer({ root: pagesDir, apiUrl: server.url })
  const browser = await launchBrowser()
  const variants = {
    plain: { path: '/plain.html', interact: false },
    tag: { path: '/tag.html', interact: true }, // data-load="idle"
    cold: { path: '/tag-cold.html', interact: true }, // the default: on intent
  }
  const raw = { plain: [], tag: [], cold: [] }
  try {
    // One untimed load of each, so the first measured run does not pay for Chromium's warm-up.
    for (const variant of Object.values(variants)) await loadOnce(browser, host.url + variant.path, variant)
    for (let run = 0; run < runs; run++) {
      // Interleaved, so a slow spell of the machine hits every variant alike.
      for (const [name, variant] of Object.entries(variants))
        raw[name].push(await loadOnce(browser, host.url + variant.path, variant))
      if (process.env.BENCH_DEBUG)
        log(
          JSON.stringify(
            Object.values(raw).map((r) => [
              r.at(-1).tasks,
              r.at(-1).ourScriptInLongFrames,
              r.at(-1).ourLongestFrame,
            ]),
          ),
        )
      log(
        `run ${run + 1}/${runs}:`,
        Object.entries(raw)
          .map(
            ([name, r]) =>
              `${name} TBT ${r.at(-1).tbt.toFixed(0)} ms, load ${r.at(-1).loadEvent.toFixed(0)} ms, ${r.at(-1).bytes} B` +
              (r.at(-1).clickToInteractive
                ? `, click→interactive ${r.at(-1).clickToInteractive.toFixed(0)} ms`
                : ''),
          )
          .join('; '),
      )
    }
    const summary = (runs) => ({
      ...figures(runs, {
        longTasks: '',
        longestTask: 'ms',
        tbt: 'ms',
        tbtAfterLoad: 'ms',
        ourScriptInLongFrames: 'ms',
        ourLongestFrame: 'ms',
        loadEvent: 'ms',
        fcp: 'ms',
      }),
      ...figures(runs, { bytesAtLoad: 'kB', bytes: 'kB', brotliBytes: 'kB' }, 1000),
      requests: runs[0].requests,
      socketsBeforeInteraction: Math.max(...runs.map((r) => r.socketsBeforeInteraction)),
      storageBeforeInteraction: Math.max(...runs.map((r) => r.storageBeforeInteraction)),
      ...(runs[0].clickToInteractive !== undefined && {
        clickToInteractive: figure(
          runs.map((r) => r.clickToInteractive),
          'ms',
        ),
        bytesToOpen: figure(
          runs.map((r) => r.bytesToOpen / 1000),
          'kB',
        ),
        scriptBrotliToOpen: figure(
          runs.map((r) => r.brotliBytesToOpen / 1000),
          'kB',
        ),
        requestsToOpen: runs[0].requestsToOpen,
      }),
    })
    return {
      chromium: await chromiumVersion(browser),
      cpuThrottling: CPU_THROTTLING,
      plain: summary(raw.plain),
      tag: summary(raw.tag),
      cold: summary(raw.cold),
    }
  } finally {
    await browser.close()
    await host.close()
    await server.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runsAt = process.argv.indexOf('--runs')
  const runs = runsAt === -1 ? 7 : Number(process.argv[runsAt + 1])
  console.log(JSON.stringify(await measureHostPage({ runs }), null, 2))
}

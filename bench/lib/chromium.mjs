// Real Chromium for the browser benchmarks: Debian's build, headless, driven by playwright-core,
// launched as the browser tests launch it (examples/support/browser.ts).
import { execFileSync } from 'node:child_process'
import { chromium } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  })
}

/** `Chromium 150.0.7871.100` (the browser's own answer; the Debian wrapper script is noisy). */
export async function chromiumVersion(browser) {
  try {
    return `Chromium ${browser.version()}`
  } catch {
    return execFileSync(CHROMIUM_PATH, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  }
}

/** A fresh context and page, its CDP session, and CPU throttling (1 = none). */
export async function openPage(browser, { cpuThrottling = 1 } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  if (cpuThrottling !== 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuThrottling })
  return { context, page, cdp }
}

/** Resolves after the next frame has been produced (two rAFs: the second runs after a paint). */
export const NEXT_PAINT = () =>
  new Promise((resolve) =>
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now()))),
  )

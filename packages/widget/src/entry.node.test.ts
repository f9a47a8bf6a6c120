// @vitest-environment node
// The npm entry must be importable during server-side rendering: importing it in Node (no DOM) uses no
// browser global, adds no global of its own and starts nothing (no timer). Only calling mount() may.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, expect, test, vi } from 'vitest'

const BROWSER_GLOBALS = [
  'window',
  'self',
  'document',
  'navigator',
  'location',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'customElements',
  'HTMLElement',
  'CSSStyleSheet',
  'MutationObserver',
  'requestIdleCallback',
  'requestAnimationFrame',
  'addEventListener',
  'matchMedia',
]
const TIMERS = ['setTimeout', 'setInterval', 'setImmediate'] as const

/**
 * Replaces each browser global with a getter that answers `undefined`, as on a server, and records the
 * read with the reader's frame. A feature test (`typeof window`) is fine; a use (`window.document`,
 * `requestAnimationFrame(…)`) throws, so the import fails. Runs in this worker and, as text, in a fresh process.
 */
function installTraps(names: string[]) {
  const read: string[] = []
  const g = globalThis as Record<string, unknown>
  const befores = names.map((name) => [name, Object.getOwnPropertyDescriptor(g, name)] as const)
  for (const name of names) {
    Object.defineProperty(g, name, {
      configurable: true,
      get() {
        read.push(`${name} ${new Error().stack?.split('\n')[2]?.trim()}`)
        return undefined
      },
    })
  }
  const restore = () => {
    for (const [name, before] of befores) {
      if (before) Object.defineProperty(g, name, before)
      else delete g[name]
    }
  }
  return { read, restore }
}

let restore = () => {}
afterEach(() => restore())

test('importing @suportra/widget in Node uses no browser global, adds no global of its own and starts nothing', async () => {
  vi.resetModules()
  const g = globalThis as Record<string, unknown>
  const names = new Set(Object.getOwnPropertyNames(globalThis))
  const descriptors = new Map([...names].map((name) => [name, Object.getOwnPropertyDescriptor(g, name)]))
  const traps = installTraps(BROWSER_GLOBALS)
  const timers = TIMERS.map((name) => vi.spyOn(globalThis, name))
  restore = () => {
    traps.restore()
    for (const timer of timers) timer.mockRestore()
  }

  const widget = await import('@suportra/widget')
  const timersStarted = timers.reduce((sum, timer) => sum + timer.mock.calls.length, 0)
  restore()

  // Not even a feature test in our own code (the packages' sources); Preact's are checked below.
  expect(traps.read.filter((line) => /\/packages\/\w+\/src\//.test(line))).toEqual([])
  expect(timersStarted).toBe(0)
  const added = Object.getOwnPropertyNames(globalThis).filter((name) => !names.has(name))
  // Only the dependencies' shared registries (so that two copies of a library agree), made on import
  // by design: nanostores' epoch counter and zod's config and schema registry.
  expect(added.sort()).toEqual(['__zod_globalConfig', '__zod_globalRegistry', 'nanostoresGlobal'])
  const changed = [...names].filter((name) => {
    const [now, then] = [Object.getOwnPropertyDescriptor(g, name), descriptors.get(name)]
    return !Object.is(now?.value, then?.value) || now?.get !== then?.get || now?.set !== then?.set
  })
  expect(changed).toEqual([])
  expect(typeof widget.mount).toBe('function')
})

// This worker's setup file has already imported Preact and signals, so the test above cannot see what
// their import does; a fresh Node process can (the same traps, on the UI dependencies alone).
test('the UI dependencies import without a browser global too (a fresh Node process)', async () => {
  const script = `
    const { read } = (${installTraps.toString()})(${JSON.stringify(BROWSER_GLOBALS)})
    for (const name of ['preact', 'preact/hooks', '@preact/signals', 'nanostores']) await import(name)
    console.log(JSON.stringify(read))`
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  })
  // The import did not throw (execFile rejects on a non-zero exit) and the traps were there to hear it:
  // preact/hooks feature-tests requestAnimationFrame, signals feature-tests window.
  expect(JSON.parse(stdout).map((line: string) => line.split(' ')[0])).toEqual(
    expect.arrayContaining(['requestAnimationFrame', 'window']),
  )
})

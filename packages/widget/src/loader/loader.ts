/**
 * The script-tag loader (`widget.js`), kept under 1 kB brotli. It reads its own tag, installs the
 * `Suportra(...)` command queue, draws a placeholder launcher, and loads the widget only on intent: a
 * command that needs it (`open`, `identify`…), or launcher hover, focus or press. `data-load="idle"`
 * opts in to loading when the browser is idle. Before that it writes no storage and opens no connection.
 */
import { LABELS, pickLocale } from './labels.js'

type Queue = unknown[][] & { push(args: unknown[]): number }
type SuportraFn = ((...args: unknown[]) => void) & { q?: Queue }

declare global {
  interface Window {
    Suportra?: SuportraFn
  }
}

/** Commands the widget can take later, on boot: they load nothing by themselves. */
const LATER = /^(on|off|close|set\w+|\w+Launcher|getState)$/

// The placeholder looks like the widget's launcher (widget.css), so nothing moves when the widget draws
// over it; `all:initial` keeps inherited host styles out, `outline:revert` keeps the browser's focus ring.
// A constructable stylesheet, like the widget's: a strict CSP needs nothing for it.
const CSS =
  'button{all:initial;position:fixed;bottom:max(20px,env(safe-area-inset-bottom));inset-inline-end:20px;z-index:var(--suportra-z,2147483000);display:flex;gap:8px;align-items:center;padding:12px 18px;border-radius:24px;color:#fff;background:var(--suportra-primary,#4f46e5);font:600 15px/1.45 system-ui,sans-serif;box-shadow:0 4px 16px #0003;cursor:pointer;outline:revert}' +
  '.left{inset-inline:20px auto}button:before{content:"";width:20px;height:20px;background:currentColor;clip-path:path("M3 3h14v10H7l-4 4z")}'

const tag = document.currentScript as HTMLScriptElement | null
const win = window as Window & { __suportra?: boolean }

if (tag && !win.__suportra) {
  win.__suportra = true
  const data = tag.dataset
  // The data-* attributes as they are (strings); boot() reads them as LoaderConfig.
  const config = {
    ...data,
    baseUrl: data.baseUrl ?? new URL(tag.src).origin,
    open: data.open === '' || data.open === 'true',
  }
  const queue: Queue = win.Suportra?.q ?? []
  let host: HTMLElement | undefined
  let loading: Promise<unknown> | undefined

  let tries = 0
  const load = () => {
    if (loading) return
    // Browsers remember a failed module import by its URL: a retry needs a new one.
    loading = import(new URL(`widget/app.js${tries ? `?retry=${tries}` : ''}`, tag.src).href).then(
      (app: { boot: (...args: unknown[]) => void }) => app.boot(config, queue, host),
      () => {
        loading = undefined // let the next interaction try again
        tries++
      },
    )
  }
  const needed = (args: unknown[]) => !LATER.test(args[0] as string)

  const suportra: SuportraFn = (...args) => {
    queue.push(args)
    if (needed(args)) load()
  }
  suportra.q = queue
  win.Suportra = suportra
  // A password reset link (`#suportra-reset=…`) opens the widget on "choose a new password", the away
  // email's (`#suportra-session=…`) on that chat.
  if (config.open || queue.some(needed) || location.hash.includes('suportra-')) load()

  if (data.launcher !== 'false') {
    host = document.createElement('suportra-widget')
    const root = host.attachShadow({ mode: 'open' })
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(CSS)
    root.adoptedStyleSheets = [sheet]
    if (data.color) host.style.setProperty('--suportra-primary', data.color)
    const locale = pickLocale(data.locale)
    const button = root.appendChild(document.createElement('button'))
    button.textContent = data.label ?? (LABELS[locale] as string)
    if (locale === 'ar') button.dir = 'rtl'
    if (data.position === 'left') button.className = 'left'
    // What the widget's launcher says: it opens a dialog, which is closed.
    button.ariaHasPopup = 'dialog'
    button.ariaExpanded = 'false'
    // Reaching for it loads the widget (again, after a failed load); pressing it opens it.
    button.onpointerenter = button.onfocus = load
    button.onclick = () => suportra('open')
    // On <html>, not in the body: a transformed body would move a fixed launcher, and apps replace bodies.
    const attach = () => document.documentElement.appendChild(host as HTMLElement)
    if (document.body) attach()
    else addEventListener('DOMContentLoaded', attach)
  }
  if (data.load === 'idle') (win.requestIdleCallback ?? setTimeout)(load)
}

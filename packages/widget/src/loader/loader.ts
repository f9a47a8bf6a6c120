/**
 * The script-tag loader (`widget.js`), kept under 1 kB brotli. It reads its own tag, installs the
 * `Suportra(...)` command queue, draws a launcher, and loads the widget only when needed: on the
 * first command that shows it, on launcher hover/focus/click, or when the browser is idle
 * (`data-load="interaction"` skips the idle load). It writes no storage and opens no connection.
 */
type Queue = unknown[][] & { push(args: unknown[]): number }
type SuportraFn = ((...args: unknown[]) => void) & { q?: Queue }

declare global {
  interface Window {
    Suportra?: SuportraFn
  }
}

const tag = document.currentScript as HTMLScriptElement | null
const win = window as Window & { __suportra?: boolean }

if (tag && !win.__suportra) {
  win.__suportra = true
  const data = tag.dataset
  const config = {
    appId: data.appId,
    baseUrl: data.baseUrl ?? new URL(tag.src).origin,
    locale: data.locale,
    open: data.open === '' || data.open === 'true',
    launcher: data.launcher !== 'false',
    label: data.label,
    color: data.color,
    position: data.position,
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

  const suportra: SuportraFn = (...args) => {
    queue.push(args)
    if (args[0] !== 'on' && args[0] !== 'off') load()
  }
  suportra.q = queue
  win.Suportra = suportra
  if (config.open || queue.some((args) => args[0] !== 'on' && args[0] !== 'off')) load()

  if (config.launcher) {
    host = document.createElement('suportra-widget')
    const button = host.attachShadow({ mode: 'open' }).appendChild(document.createElement('button'))
    button.textContent = config.label ?? 'Ask a human'
    button.style.cssText = `position:fixed;bottom:20px;${config.position === 'left' ? 'left' : 'right'}:20px;z-index:2147483000;padding:12px 18px;border:0;border-radius:24px;font:600 15px system-ui,sans-serif;color:#fff;background:${config.color ?? '#4f46e5'};box-shadow:0 4px 16px #0003;cursor:pointer`
    for (const name of ['pointerenter', 'focus']) button.addEventListener(name, load, { once: true })
    button.addEventListener('click', () => suportra('open'))
    // On <html>, not in the body: a transformed body would move a fixed launcher, and apps replace bodies.
    const attach = () => document.documentElement.appendChild(host as HTMLElement)
    if (document.body) attach()
    else addEventListener('DOMContentLoaded', attach)
  }
  if (data.load !== 'interaction') (win.requestIdleCallback ?? setTimeout)(load)
}

export {}

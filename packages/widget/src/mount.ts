import { h, render } from 'preact'
import { App } from './ui/app.js'
import { styles } from './ui/styles.js'
import {
  createWidget,
  type MountOptions,
  type OpenOptions,
  type Theme,
  type Widget,
  type WidgetEventName,
  type WidgetEvents,
} from './widget.js'

/** The widget's public API (the same commands exist as `Suportra('open', …)` with the script tag). */
export interface WidgetInstance {
  open(options?: OpenOptions): void
  close(): void
  toggle(): void
  identify(input: { token: string }): Promise<void>
  signOut(): Promise<void>
  setContext(context: OpenOptions['context']): void
  /** Shows the widget in another language (`en`, `es`, `de`, `ar`…); resolves once its strings are in. */
  setLocale(locale: string): Promise<void>
  /** Replaces the theme (colour, mode, position, launcher label and icon…) while mounted. */
  setTheme(theme: Theme): void
  showLauncher(): void
  hideLauncher(): void
  /** What the widget shows now: open or not, the unread count, the ongoing (waiting or active) session's id. */
  getState(): WidgetState
  on<K extends WidgetEventName>(name: K, listener: (payload: WidgetEvents[K]) => void): () => void
  off<K extends WidgetEventName>(name: K, listener: (payload: WidgetEvents[K]) => void): void
  /** Removes every node, listener, timer and socket. */
  destroy(): void
  /** The headless client underneath, for anything the widget does not cover. */
  client: Widget['client']
}

export interface WidgetState {
  isOpen: boolean
  unread: number
  sessionId: string | undefined
}

const mounted = new Map<string, WidgetInstance>()

/**
 * Mounts the widget: a launcher and a chat panel in a shadow root, styled with a constructable
 * stylesheet (no inline `<style>`, so a strict CSP needs nothing special). Mounting the same app id
 * twice returns the first instance.
 */
export function mount(options: MountOptions): WidgetInstance {
  const existing = mounted.get(options.appId)
  if (existing) return existing

  const widget = createWidget(options)
  const host = options.host ?? document.createElement('suportra-widget')
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' })
  root.adoptedStyleSheets = [styles()]
  // Inline !important beats any host page rule, whatever its specificity.
  host.style.setProperty('all', 'initial', 'important')
  host.style.setProperty('display', 'contents', 'important')
  const setTheme = (theme: Theme) => {
    widget.theme.value = theme
    host.style.setProperty('--suportra-primary', theme.primary ?? '')
    host.style.setProperty('--suportra-z', theme.zIndex ? String(theme.zIndex) : '')
  }
  setTheme(widget.theme.value)
  const launcher = (show: boolean) => {
    widget.launcher.value = show
  }

  // The widget's own element (made here or by the loader) lives on <html>, outside the body: a
  // transformed body would pin its fixed launcher to the page, and single-page apps that wipe or
  // replace the body leave it alone. Whatever removes it, it goes back without remounting. An element
  // passed as `host` is the vendor's to place.
  const own = host.localName === 'suportra-widget'
  const observer = new MutationObserver(() => attach())
  const attach = () => {
    if (own && !host.isConnected) document.documentElement.appendChild(host)
    if (host.parentNode) observer.observe(host.parentNode, { childList: true })
  }
  attach()
  observer.observe(document.documentElement, { childList: true })

  // The loader's placeholder button stays until the widget can draw itself (its language is in).
  // If it had focus (a keyboard user tabbed to it, which is what loaded the widget), the real launcher keeps it.
  const draw = () => {
    if (!mounted.has(options.appId)) return
    const focused = root.activeElement
    root.replaceChildren()
    render(h(App, { widget }), root)
    if (focused) root.querySelector<HTMLElement>('.launcher')?.focus()
  }

  const instance: WidgetInstance = {
    client: widget.client,
    open: widget.open,
    close: widget.close,
    toggle: widget.toggle,
    identify: widget.identify,
    signOut: widget.signOut,
    setContext: widget.setContext,
    setLocale: widget.i18n.setLocale,
    setTheme,
    showLauncher: () => launcher(true),
    hideLauncher: () => launcher(false),
    getState: () => ({
      isOpen: widget.isOpen.value,
      unread: widget.unread.value,
      sessionId: widget.client.sessions.$list.get().find((s) => /^(waiting|active)$/.test(s.status))?.id,
    }),
    on: widget.on,
    off: widget.off,
    destroy() {
      mounted.delete(options.appId)
      observer.disconnect()
      render(null, root)
      widget.destroy()
      host.remove()
    },
  }
  mounted.set(options.appId, instance)
  // A password reset link (`#suportra-reset=<token>`) opens the widget on "choose a new password";
  // the away email's (`#suportra-session=<id>`), on that session's chat.
  const id = /suportra-session=([\w-]+)/.exec(location.hash)?.[1]
  if (id || location.hash.includes('suportra-reset=')) {
    widget.view.value = id ? { name: 'chat', id } : { name: 'account', step: 'reset' }
    widget.open()
  }
  if (widget.i18n.catalog.value) draw()
  else widget.i18n.ready.then(draw)
  queueMicrotask(() => widget.emit('ready', undefined))
  return instance
}

import { h, render } from 'preact'
import { App } from './ui/app.js'
import css from './ui/widget.css?inline'
import {
  createWidget,
  type MountOptions,
  type OpenOptions,
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
  on<K extends WidgetEventName>(name: K, listener: (payload: WidgetEvents[K]) => void): () => void
  off<K extends WidgetEventName>(name: K, listener: (payload: WidgetEvents[K]) => void): void
  /** Removes every node, listener, timer and socket. */
  destroy(): void
  /** The headless client underneath, for anything the widget does not cover. */
  client: Widget['client']
}

const mounted = new Map<string, WidgetInstance>()
let sheet: CSSStyleSheet | undefined

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
  root.replaceChildren()
  if (!sheet) {
    sheet = new CSSStyleSheet()
    sheet.replaceSync(css)
  }
  root.adoptedStyleSheets = [sheet]
  // Inline !important beats any host page rule, whatever its specificity.
  host.style.setProperty('all', 'initial', 'important')
  host.style.setProperty('display', 'contents', 'important')
  if (options.theme?.primary) host.style.setProperty('--suportra-primary', options.theme.primary)
  if (options.theme?.zIndex) host.style.setProperty('--suportra-z', String(options.theme.zIndex))

  // Single-page apps may wipe the body; put the widget back without remounting it.
  const attach = () => {
    if (!host.isConnected && !options.host) document.body?.appendChild(host)
  }
  attach()
  const observer = new MutationObserver(attach)
  observer.observe(document.documentElement, { childList: true })
  if (document.body) observer.observe(document.body, { childList: true })

  render(h(App, { widget }), root)

  const instance: WidgetInstance = {
    client: widget.client,
    open: widget.open,
    close: widget.close,
    toggle: widget.toggle,
    identify: widget.identify,
    signOut: widget.signOut,
    setContext: widget.setContext,
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
  queueMicrotask(() => widget.emit('ready', undefined))
  return instance
}

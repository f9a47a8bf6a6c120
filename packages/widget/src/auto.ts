import { mount, type WidgetInstance } from './mount.js'

/** What the script-tag loader passes on: its `data-*` attributes (as strings), with the API's address. */
export interface LoaderConfig {
  appId?: string
  baseUrl: string
  locale?: string
  open?: boolean
  /** `false` (or the attribute's `"false"`) hides the floating launcher. */
  launcher?: boolean | string
  label?: string
  color?: string
  position?: string
}

type Command = [name: string, ...args: unknown[]]
/** Commands that mean nothing once the widget is destroyed (any other brings a fresh one). */
const GONE = /^(destroy|close|off)$/

/**
 * Called by `widget.js` once this code has loaded: mounts the widget into the loader's element,
 * replays the `Suportra(...)` calls made so far, in order, and routes later ones directly. After
 * `Suportra('destroy')`, the next command mounts a fresh widget (as on a new page) and runs on it.
 */
export function boot(
  config: LoaderConfig,
  queue: unknown[][],
  host?: HTMLElement,
): WidgetInstance | undefined {
  const { appId } = config
  if (!appId) {
    console.error('Suportra: add data-app-id="…" to the widget script tag')
    return undefined
  }
  let widget: WidgetInstance | undefined
  /** Widgets that have emitted `ready`. */
  const ready = new WeakSet<WidgetInstance>()
  const start = (into?: HTMLElement) => {
    const instance = mount({
      baseUrl: config.baseUrl,
      appId,
      ...(config.locale && { locale: config.locale }),
      launcher: config.launcher !== false && config.launcher !== 'false',
      theme: {
        ...(config.color && { primary: config.color }),
        ...(config.label && { launcherLabel: config.label }),
        ...(config.position === 'left' && { position: 'left' as const }),
      },
      ...(into && { host: into }),
    })
    instance.on('ready', () => ready.add(instance))
    const { destroy } = instance
    // Destroyed by the vendor (or through the instance): later commands must not reach a dead widget.
    instance.destroy = () => {
      if (widget === instance) widget = undefined
      destroy()
    }
    return instance
  }
  widget = start(host)
  const first = widget
  const run = ([name, ...args]: Command) => {
    if (typeof (first as unknown as Record<string, unknown>)[name] !== 'function' || name === 'client') {
      console.error(`Suportra: unknown command "${name}"`)
      return
    }
    // A failing command must not break the host page: report it, never throw. The widget is looked up
    // when the command runs, so `Suportra('destroy'); Suportra('open')` opens a fresh one.
    Promise.resolve()
      .then(() => {
        if (!widget && GONE.test(name)) return // nothing to close, stop listening to or destroy
        widget ??= start()
        // `ready` comes once, a moment after mounting, before the queued commands are replayed: a
        // listener for it that comes later (queued before the script loaded, or called after) is
        // called at once.
        if (name === 'on' && args[0] === 'ready' && ready.has(widget))
          (args[1] as (payload: undefined) => void)(undefined)
        return (widget[name as keyof WidgetInstance] as (...args: unknown[]) => unknown)(...args)
      })
      .catch((error: unknown) => console.error(`Suportra: ${name} failed`, error))
  }
  for (const args of queue.splice(0)) run(args as Command)
  // Whatever still pushes onto the queue (the loader's placeholder button, until the widget has drawn
  // over it; a stub captured before this) runs now instead of waiting forever.
  Object.defineProperty(queue, 'push', {
    value: (...items: unknown[][]) => {
      for (const args of items) run(args as Command)
      return queue.length
    },
  })
  const dispatch = Object.assign((...args: unknown[]) => run(args as Command), { q: queue })
  ;(window as unknown as { Suportra: typeof dispatch }).Suportra = dispatch
  if (config.open) first.open()
  return first
}

import { mount, type WidgetInstance } from './mount.js'

/** What the script-tag loader passes on: its `data-*` attributes. */
export interface LoaderConfig {
  appId?: string
  baseUrl: string
  locale?: string
  open?: boolean
  launcher?: boolean
  label?: string
  color?: string
  position?: string
}

type Command = [name: string, ...args: unknown[]]

/**
 * Called by `widget.js` once this code has loaded: mounts the widget into the loader's element,
 * replays the `Suportra(...)` calls made so far, in order, and routes later ones directly.
 */
export function boot(
  config: LoaderConfig,
  queue: unknown[][],
  host?: HTMLElement,
): WidgetInstance | undefined {
  if (!config.appId) {
    console.error('Suportra: add data-app-id="…" to the widget script tag')
    return undefined
  }
  const widget = mount({
    baseUrl: config.baseUrl,
    appId: config.appId,
    ...(config.locale && { locale: config.locale }),
    launcher: config.launcher !== false,
    theme: {
      ...(config.color && { primary: config.color }),
      ...(config.label && { launcherLabel: config.label }),
      ...(config.position === 'left' && { position: 'left' as const }),
    },
    ...(host && { host }),
  })
  const run = ([name, ...args]: Command) => {
    const command = (widget as unknown as Record<string, unknown>)[name]
    if (typeof command !== 'function' || name === 'client') {
      console.error(`Suportra: unknown command "${name}"`)
      return
    }
    // A failing command must not break the host page: report it, never throw.
    Promise.resolve()
      .then(() => command(...args))
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
  if (config.open) widget.open()
  return widget
}

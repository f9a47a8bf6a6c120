'use client'
import type { MountOptions, OpenOptions, WidgetInstance } from '@suportra/widget'
import { useContext, useEffect, useRef, useState } from 'react'
import { ClientContext } from '../provider.js'
import { loadWidget } from './load-widget.js'
import { widgetStore } from './widget-store.js'

export interface SuportraWidgetProps extends Omit<MountOptions, 'host' | 'client'> {
  /** Open the panel (optionally prefilled) while true; closes it when it turns false. */
  open?: boolean | OpenOptions
  /** Called with the widget once it is mounted (to call `identify()`, `on()`…). */
  onReady?: (widget: WidgetInstance) => void
}

/**
 * The Preact widget inside a React app. It is loaded on the client only (its code is a separate
 * chunk), so server rendering and first paint do not pay for it; it is destroyed on unmount. Inside
 * a `<SuportraProvider>` it drives the provider's client (one sign-in, one socket). `open`, `theme`,
 * `locale` and `launcher` follow their props; a change of `appId`, `baseUrl` or the client remounts it.
 */
export function SuportraWidget({ open, onReady, ...options }: SuportraWidgetProps) {
  const client = useContext(ClientContext) ?? undefined
  const ready = useRef(onReady)
  ready.current = onReady
  const { appId, baseUrl, theme, locale, launcher } = options
  const latest = useRef(options)
  latest.current = options
  const [widget, setWidget] = useState<WidgetInstance>()

  useEffect(() => {
    let mounted: WidgetInstance | undefined
    let detach: (() => void) | undefined
    let cancelled = false
    loadWidget().then(({ mount }) => {
      if (cancelled) return
      mounted = mount({ ...latest.current, appId, baseUrl, ...(client && { client }) })
      detach = widgetStore.attach(mounted)
      setWidget(mounted)
      ready.current?.(mounted)
    })
    return () => {
      cancelled = true
      detach?.()
      mounted?.destroy()
      setWidget(undefined)
    }
  }, [appId, baseUrl, client])

  // Props after mount: each reaches the mounted widget when it changes (a theme by its content, so
  // an inline object does not re-apply it on every render).
  const themeKey = JSON.stringify(theme ?? {})
  // biome-ignore lint/correctness/useExhaustiveDependencies: the theme is compared by content (themeKey)
  useEffect(() => {
    widget?.setTheme(theme ?? {})
  }, [widget, themeKey])
  useEffect(() => {
    if (widget && locale) widget.setLocale(locale)
  }, [widget, locale])
  useEffect(() => {
    if (widget) launcher === false ? widget.hideLauncher() : widget.showLauncher()
  }, [widget, launcher])
  const openKey = JSON.stringify(open ?? false)
  // biome-ignore lint/correctness/useExhaustiveDependencies: `open` is compared by content (openKey)
  useEffect(() => {
    if (!widget || open === undefined) return
    if (open) widget.open(typeof open === 'object' ? open : undefined)
    else widget.close()
  }, [widget, openKey])
  return null
}

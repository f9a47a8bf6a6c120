import type { MountOptions, OpenOptions, WidgetInstance } from '@suportra/widget'
import { useEffect, useRef } from 'react'
import { loadWidget } from './load-widget.js'

export interface SuportraWidgetProps extends Omit<MountOptions, 'host'> {
  /** Open the panel when mounted, optionally prefilled. */
  open?: boolean | OpenOptions
  /** Called with the widget once it is mounted (to call `open()`, `identify()`, `on()`…). */
  onReady?: (widget: WidgetInstance) => void
}

/**
 * The Preact widget inside a React app. It is loaded on the client only (its code is a separate
 * chunk), so server rendering and first paint do not pay for it; it is destroyed on unmount.
 */
export function SuportraWidget({ open, onReady, ...options }: SuportraWidgetProps) {
  const ready = useRef(onReady)
  ready.current = onReady
  const { appId, baseUrl } = options
  const latest = useRef(options)
  latest.current = options
  const opening = useRef(open)
  opening.current = open

  useEffect(() => {
    let widget: WidgetInstance | undefined
    let cancelled = false
    loadWidget().then(({ mount }) => {
      if (cancelled) return
      widget = mount({ ...latest.current, appId, baseUrl })
      if (opening.current) widget.open(typeof opening.current === 'object' ? opening.current : undefined)
      ready.current?.(widget)
    })
    return () => {
      cancelled = true
      widget?.destroy()
    }
  }, [appId, baseUrl])
  return null
}

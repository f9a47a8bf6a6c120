'use client'
import type { OpenOptions } from '@suportra/widget'
import { useMemo, useSyncExternalStore } from 'react'
import { widgetStore } from './widget-store.js'

const server = { widget: undefined, isOpen: false, unread: 0 }

/** The mounted `<SuportraWidget>`: `open()`, `close()`, `toggle()` (stable), `isOpen`, and `widget` itself. */
export function useWidget() {
  const { widget, isOpen } = useSyncExternalStore(widgetStore.subscribe, widgetStore.get, () => server)
  const actions = useMemo(
    () => ({
      open: (options?: OpenOptions) => widgetStore.get().widget?.open(options),
      close: () => widgetStore.get().widget?.close(),
      toggle: () => widgetStore.get().widget?.toggle(),
    }),
    [],
  )
  return { ...actions, isOpen, widget }
}

/** How many builder messages arrived since the user last saw the chat (0 without a mounted widget). */
export function useUnreadCount(): number {
  return useSyncExternalStore(
    widgetStore.subscribe,
    () => widgetStore.get().unread,
    () => 0,
  )
}

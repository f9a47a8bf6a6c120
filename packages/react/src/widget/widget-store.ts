import type { WidgetInstance } from '@suportra/widget'

/** What `useWidget()` and `useUnreadCount()` read: the mounted widget and its open and unread state. */
export interface WidgetSnapshot {
  widget: WidgetInstance | undefined
  isOpen: boolean
  unread: number
}

const listeners = new Set<() => void>()
let snapshot: WidgetSnapshot = { widget: undefined, isOpen: false, unread: 0 }

const set = (next: Partial<WidgetSnapshot>) => {
  snapshot = { ...snapshot, ...next }
  for (const listener of listeners) listener()
}

/** The page's `<SuportraWidget>`: one at a time (the widget mounts once per app id). */
export const widgetStore = {
  get: (): WidgetSnapshot => snapshot,
  subscribe(listener: () => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
  /** Follows a mounted widget's open and unread state until the returned function is called. */
  attach(widget: WidgetInstance): () => void {
    const { isOpen, unread } = widget.getState()
    set({ widget, isOpen, unread })
    const offs = [
      widget.on('open', () => set({ isOpen: true })),
      widget.on('close', () => set({ isOpen: false })),
      widget.on('unread', ({ count }) => set({ unread: count })),
    ]
    return () => {
      for (const off of offs) off()
      if (snapshot.widget === widget) set({ widget: undefined, isOpen: false, unread: 0 })
    }
  },
}

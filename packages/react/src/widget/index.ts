'use client'
/**
 * @suportra/react/widget: `<SuportraWidget>`, `useWidget()` and `useUnreadCount()`. Needs
 * `@suportra/widget` (an optional peer: apps using only the hooks do not install it).
 */
export { SuportraWidget, type SuportraWidgetProps } from './suportra-widget.js'
export { useUnreadCount, useWidget } from './use-widget.js'

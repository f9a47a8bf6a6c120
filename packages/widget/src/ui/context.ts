import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { MessageKey } from '../i18n/i18n.js'
import type { Widget } from '../widget.js'

export const WidgetContext = createContext<Widget>(undefined as unknown as Widget)

/** The widget this component belongs to. */
export const useWidget = (): Widget => useContext(WidgetContext)

/** The translation function for the widget's current locale. */
export function useT(): (key: MessageKey, values?: Record<string, string | number>) => string {
  return useWidget().i18n.t
}

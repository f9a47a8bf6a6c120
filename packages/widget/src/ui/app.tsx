import type { JSX } from 'preact'
import type { Widget } from '../widget.js'
import { WidgetContext } from './context.js'
import { Launcher } from './launcher.js'
import { Panel } from './panel.js'

/** The widget's root: the launcher and, when open, the panel. Direction and language follow the locale. */
export function App({ widget }: { widget: Widget }): JSX.Element {
  const { theme } = widget
  return (
    <WidgetContext.Provider value={widget}>
      <div
        class={`root ${theme.position === 'left' ? 'left' : 'right'}`}
        data-theme={theme.mode ?? 'auto'}
        dir={widget.i18n.dir()}
        lang={widget.i18n.locale.value}
      >
        {widget.launcher && <Launcher />}
        {widget.isOpen.value && <Panel />}
      </div>
    </WidgetContext.Provider>
  )
}

import type { JSX } from 'preact'
import type { Widget } from '../widget.js'
import { WidgetContext } from './context.js'
import { Launcher } from './launcher.js'
import { Panel } from './panel.js'

/** The widget's root: the launcher and, when open, the panel. Direction and language follow the locale. */
export function App({ widget }: { widget: Widget }): JSX.Element | null {
  const theme = widget.theme.value
  // Nothing to show until the language has loaded (a few milliseconds; the loader's button stays meanwhile).
  if (!widget.i18n.catalog.value) return null
  return (
    <WidgetContext.Provider value={widget}>
      <div
        class={`root ${theme.position === 'left' ? 'left' : 'right'}`}
        data-theme={theme.mode ?? 'auto'}
        dir={widget.i18n.dir()}
        lang={widget.i18n.locale.value}
      >
        {widget.launcher.value && <Launcher />}
        {widget.isOpen.value && <Panel />}
        {/* Always there (a live region must exist before it speaks); says something while the panel is closed. */}
        <p class="sr" role="status">
          {!widget.isOpen.value && widget.unread.value > 0
            ? widget.i18n.t('unreadFrom', {
                count: widget.unread.value,
                name: widget.unreadFrom.value || widget.i18n.t('builder'),
              })
            : ''}
        </p>
      </div>
    </WidgetContext.Provider>
  )
}

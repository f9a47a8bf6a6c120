import type { JSX } from 'preact'
import { useT, useWidget } from './context.js'

/** The floating "Ask a human" button, with the unread count. */
export function Launcher(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const count = widget.unread.value
  const theme = widget.theme.value
  return (
    <button
      type="button"
      class="launcher"
      aria-expanded={widget.isOpen.value}
      aria-haspopup="dialog"
      aria-label={count ? `${theme.launcherLabel ?? t('launcher')}, ${t('unread', { count })}` : undefined}
      onClick={widget.toggle}
    >
      {theme.launcherIcon ? (
        <img src={theme.launcherIcon} alt="" />
      ) : (
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M4 4h16v12H8l-4 4z" />
        </svg>
      )}
      <span>{theme.launcherLabel ?? t('launcher')}</span>
      {count > 0 && (
        <span class="badge" aria-hidden="true">
          {count}
        </span>
      )}
    </button>
  )
}

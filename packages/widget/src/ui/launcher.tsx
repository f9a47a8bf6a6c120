import type { JSX } from 'preact'
import { useT, useWidget } from './context.js'

/** The floating "Ask a human" button, with the unread count. */
export function Launcher(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const count = widget.unread.value
  return (
    <button
      type="button"
      class="launcher"
      aria-expanded={widget.isOpen.value}
      aria-haspopup="dialog"
      aria-label={
        count ? `${widget.theme.launcherLabel ?? t('launcher')}, ${t('unread', { count })}` : undefined
      }
      onClick={widget.toggle}
    >
      {widget.theme.launcherIcon ? (
        <img src={widget.theme.launcherIcon} alt="" />
      ) : (
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M4 4h16v12H8l-4 4z" />
        </svg>
      )}
      <span>{widget.theme.launcherLabel ?? t('launcher')}</span>
      {count > 0 && (
        <span class="badge" aria-hidden="true">
          {count}
        </span>
      )}
    </button>
  )
}

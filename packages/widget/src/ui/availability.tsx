import { availabilityStore } from '@suportra/client/availability'
import type { JSX } from 'preact'
import css from './availability.css?inline'
import { useT, useWidget } from './context.js'
import { addStyles } from './styles.js'
import { useStore } from './use-store.js'

/**
 * Whether anyone is there, before the user spends anything: builders online with the usual wait,
 * busy, or none (with when they are back, outside business hours) and that the question may be
 * left anyway. Live (`client.$availability`); nothing until it has loaded. Its own chunk, with its
 * strings in the `later` catalogues: the start screen shows it a moment after it opens.
 */
export function AvailabilityNote(): JSX.Element | null {
  addStyles(css)
  const widget = useWidget()
  const t = useT()
  // One store per widget, made the first time the note shows.
  widget.availability ??= availabilityStore(widget.client, widget.options)
  const a = useStore(widget.availability)
  if (!a) return null
  const wait = a.expectedWait
  return (
    <p class={`avail ${a.status}`} role="status">
      {t(`avail_${a.status}`)}{' '}
      {a.status === 'offline'
        ? `${
            a.nextOpen
              ? t('backAt', {
                  when: new Date(a.nextOpen).toLocaleString(widget.i18n.locale.value, {
                    weekday: 'short',
                    hour: 'numeric',
                    minute: '2-digit',
                  }),
                })
              : ''
          } ${t('leave')}`
        : wait !== null && t('expected', { minutes: Math.max(1, Math.round(wait / 60)) })}
    </p>
  )
}

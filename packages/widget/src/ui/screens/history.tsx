import type { JSX } from 'preact'
import { useT, useWidget } from '../context.js'
import { addStyles } from '../styles.js'
import { useStore } from '../use-store.js'
import css from './history.css?inline'

/** Past sessions, newest first; each opens its transcript. */
export function History(): JSX.Element {
  addStyles(css)
  const widget = useWidget()
  const t = useT()
  const sessions = useStore(widget.client.sessions.$list).filter(
    (s) => s.status === 'closed' || s.status === 'cancelled',
  )
  return (
    <section>
      <h3>{t('pastSessions')}</h3>
      {sessions.length === 0 && <p class="hint">{t('historyEmpty')}</p>}
      <ul class="history">
        {sessions.map((session) => (
          <li>
            <button
              type="button"
              class="row"
              onClick={() => widget.show({ name: 'transcript', id: session.id })}
            >
              <strong>{session.topic}</strong>
              <small>
                {new Date(session.createdAt).toLocaleDateString(widget.i18n.locale.value)} · {session.tool} ·{' '}
                {t(session.status === 'closed' ? 'ended' : 'cancelled')}
              </small>
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}

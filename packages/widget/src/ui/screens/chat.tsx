import { useStore } from '@nanostores/preact'
import type { JSX } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { Composer } from '../chat/composer.js'
import { MessageItem } from '../chat/message-item.js'
import { useT, useWidget } from '../context.js'

/**
 * A session: honest status while waiting (queue position, expected wait, cancel), the transcript,
 * typing, a banner while the connection is down, the composer, and ending the session.
 */
export function Chat({ id }: { id: string }): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const handle = widget.client.sessions.get(id)
  const session = useStore(handle.$session)
  const messages = useStore(handle.$messages)
  const typing = useStore(handle.$typing)
  const connection = useStore(widget.client.$connection)
  const list = useRef<HTMLOListElement>(null)

  // New messages: keep the newest in view, and mark them read while the chat is on screen.
  useEffect(() => {
    const el = list.current
    if (el) el.scrollTop = el.scrollHeight
    widget.seen()
    handle.markRead().catch(() => {})
  }, [messages.length])

  const open = session?.status === 'waiting' || session?.status === 'active'
  const builderName = session?.builder?.name ?? t('builder')
  const queue = session?.queue

  return (
    <section class="chat">
      {session?.status === 'waiting' && (
        <div class="banner" role="status">
          <strong>{t('waiting')}</strong>
          {queue && <span>{t('position', { position: queue.position })}</span>}
          {queue?.expectedWaitSeconds != null && (
            <span>{t('expected', { minutes: Math.max(1, Math.round(queue.expectedWaitSeconds / 60)) })}</span>
          )}
          <button type="button" class="link" onClick={() => handle.cancel().catch(() => {})}>
            {t('cancel')}
          </button>
        </div>
      )}
      {(connection === 'reconnecting' || connection === 'offline') && (
        <div class="banner warn" role="status">
          {t(connection === 'offline' ? 'offline' : 'reconnecting')}
        </div>
      )}
      {session && <p class="topic">{session.topic}</p>}
      <ol ref={list} class="messages" role="log" aria-live="polite" aria-relevant="additions">
        {messages.map((message) => (
          <MessageItem key={message.key} message={message} handle={handle} builderName={builderName} />
        ))}
      </ol>
      {typing && (
        <p class="typing" aria-live="polite">
          {t('typing', { name: builderName })}
        </p>
      )}
      {open && <Composer handle={handle} />}
      {session?.status === 'active' && (
        <button
          type="button"
          class="link end"
          onClick={async () => {
            await handle.close()
            widget.show({ name: 'rate', id })
          }}
        >
          {t('end')}
        </button>
      )}
      {session?.status === 'closed' && !session.rating && (
        <button type="button" class="primary" onClick={() => widget.show({ name: 'rate', id })}>
          {t('rateTitle')}
        </button>
      )}
      <nav>
        {session && !open && (
          <button type="button" class="link" onClick={() => widget.show({ name: 'new' })}>
            {t('newSession')}
          </button>
        )}
        <button type="button" class="link" onClick={() => widget.show({ name: 'history' })}>
          {t('pastSessions')}
        </button>
      </nav>
    </section>
  )
}

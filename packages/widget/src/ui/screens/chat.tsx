import { useSignal } from '@preact/signals'
import type { JSX } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { Composer } from '../chat/composer.js'
import { MessageItem } from '../chat/message-item.js'
import { VideoControl } from '../chat/video-control.js'
import { useT, useWidget } from '../context.js'
import { ContextCard } from '../context-card.js'
import { useStore } from '../use-store.js'

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
  const list = useRef<HTMLDivElement>(null)
  const copied = useSignal(false)
  /** The transcript as Markdown, to paste the builder's advice back into the AI tool. */
  const copyTranscript = async () => {
    try {
      await navigator.clipboard.writeText(await handle.exportMarkdown())
      copied.value = true
    } catch {
      // Clipboard refused: nothing to do; the transcript stays on screen.
    }
  }

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
  // "Read" goes under the newest of my messages the other side has read up to.
  const me = widget.client.$user.get()?.id
  const readSeq = session ? session.readSeq[session.user.id === me ? 'builder' : 'user'] : 0
  let readKey: string | undefined
  for (const message of messages) {
    if (message.authorId === me && message.kind !== 'event' && message.seq !== null && message.seq <= readSeq)
      readKey = message.key
  }

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
      {widget.down.value && (
        <div class="banner warn" role="status">
          {t(connection === 'offline' ? 'offline' : 'reconnecting')}
        </div>
      )}
      {session && <p class="topic">{session.topic}</p>}
      {session?.context && Object.keys(session.context).length > 0 && (
        <ContextCard context={session.context} />
      )}
      {/* The log is a div around the list: role=log on the <ol> itself would hide its list items. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable for keyboard users (axe: scrollable-region-focusable) */}
      <div ref={list} class="log" role="log" aria-live="polite" aria-relevant="additions" tabIndex={0}>
        <ol class="messages">
          {messages.map((message) => (
            <MessageItem
              key={message.key}
              message={message}
              handle={handle}
              builderName={builderName}
              read={message.key === readKey}
            />
          ))}
        </ol>
      </div>
      {typing && (
        <p class="typing" aria-live="polite">
          {t('typing', { name: builderName })}
        </p>
      )}
      {open && <Composer handle={handle} />}
      {session && <VideoControl handle={handle} session={session} />}
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
        <button type="button" class="link" onClick={copyTranscript}>
          {copied.value ? t('copied') : t('copyTranscript')}
        </button>
      </nav>
    </section>
  )
}

import { useSignal } from '@preact/signals'
import type { JSX } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { About } from '../chat/about.js'
import { Composer } from '../chat/composer.js'
import { MessageItem } from '../chat/message-item.js'
import { useVirtual } from '../chat/use-virtual.js'
import { VideoControl } from '../chat/video-control.js'
import { useT, useWidget } from '../context.js'
import { Go } from '../form.js'
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
  const hasOlder = useStore(handle.$hasOlder)
  const list = useRef<HTMLDivElement>(null)
  const copied = useSignal(false)
  /** An older page is on its way. */
  const loading = useRef(false)
  /** Older pages were loaded here: reaching the start then says so. */
  const paged = useRef(false)
  /** The transcript as Markdown, to paste the builder's advice back into the AI tool. */
  const copyTranscript = async () => {
    try {
      // Loaded on the first click: the Markdown export is no part of what an open needs.
      const { exportMarkdown } = await import('@suportra/client/markdown')
      await navigator.clipboard.writeText(await exportMarkdown(handle))
      copied.value = true
    } catch {
      // Clipboard refused: nothing to do; the transcript stays on screen.
    }
  }

  // A new message: keep the newest in view, and mark it read while the chat is on screen. (Older
  // ones going in above do not move the list: it is anchored at the bottom, see .log, whose scroll
  // position 0 is the bottom: no layout is read for it.)
  useEffect(() => {
    const el = list.current
    if (el) el.scrollTop = 0
    widget.seen()
    handle.markRead().catch(() => {})
  }, [messages.at(-1)?.key])
  /**
   * Near the top of the list (within 200 px), the page before loads, the messages on screen staying
   * where they are. Checked on scroll, and after each render that changed the oldest message or whether
   * older ones exist: a first page that does not fill the list, or a short page that leaves the user at
   * the top, goes on loading with no scroll to tell. The strings of the end-of-history line come along.
   */
  const older = () => {
    const el = list.current as HTMLDivElement
    if (loading.current || !hasOlder || el.scrollHeight - el.clientHeight - Math.abs(el.scrollTop) > 200)
      return
    loading.current = paged.current = true
    const done = () => (loading.current = false)
    handle.loadOlder().then(done, done)
    widget.i18n.more().catch(() => {})
  }
  // Not without layout (a hidden panel; happy-dom, where every list is "at the top").
  useEffect(() => {
    if (list.current?.clientHeight) older()
  }, [hasOlder, messages[0]?.key])

  const head = hasOlder ? t('loading') : paged.current && t('historyStart')
  const [from, to, rendered] = useVirtual(messages, head)

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
      {session && <About session={session} />}
      {/* The log is a div around the list: role=log on the <ol> itself would hide its list items. */}
      <div
        ref={list}
        class="log"
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable for keyboard users (axe: scrollable-region-focusable)
        tabIndex={0}
        onScroll={older}
      >
        {/* A long transcript renders the rows near the visible part; the others' room is padding. */}
        <ol ref={rendered} class="messages">
          {/* At the top while older messages exist: the user sees it as they reach it, and that loads them.
              Once paging back reached the first message, the end of the history says so. */}
          {head && !from && <li class="event">{head}</li>}
          {messages.slice(from, to).map((message) => (
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
      {session?.status === 'closed' && !session.rating && (
        <button type="button" class="primary" onClick={() => widget.show({ name: 'rate', id })}>
          {t('rateTitle')}
        </button>
      )}
      {/* One row of links under the composer (it wraps only when the language needs it). */}
      <nav>
        {session?.status === 'active' && (
          <Go
            label="end"
            onClick={async () => {
              await handle.close()
              widget.show({ name: 'rate', id })
            }}
          />
        )}
        {session && !open && <Go to="new" label="newSession" />}
        <Go to="history" label="pastSessions" />
        <Go label={copied.value ? 'copied' : 'copyTranscript'} onClick={copyTranscript} />
      </nav>
    </section>
  )
}

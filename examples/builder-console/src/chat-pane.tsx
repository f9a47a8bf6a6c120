import { useSession, useUser } from '@suportra/react'
import { useEffect, useRef, useState } from 'react'
import { MessageView } from '../../react-app/src/chat-parts.js'
import { Code, ContextCard } from './context-card.js'
import { PatchForm, PatchView } from './patch-form.js'

/** What the builder sends to suggest video: only the user can start it (and pays for it). */
export const VIDEO_SUGGESTION =
  'Would a video call help? You can start one with "Video call" below the message box.'

/** One conversation: the user, the context, the transcript, typing, a reply box, video, close. */
export function ChatPane({ id }: { id: string }) {
  const me = useUser()
  const { session, messages, typing, send, notifyTyping, markRead, close, retry } = useSession(id)
  const [draft, setDraft] = useState('')
  const [attached, setAttached] = useState<File[]>([])
  const [patching, setPatching] = useState(false)
  const files = useRef<HTMLInputElement>(null)
  const list = useRef<HTMLOListElement>(null)
  const readUpTo = session?.readSeq.builder ?? 0
  const unread = messages.filter((m) => m.author === 'user' && m.seq !== null && m.seq > readUpTo).length
  const suggested = messages.some((m) => m.body === VIDEO_SUGGESTION)

  // The newest message stays in view as the conversation grows.
  const count = messages.length
  useEffect(() => {
    if (count && list.current) list.current.scrollTop = list.current.scrollHeight
  }, [count])

  const submit = (event: { preventDefault(): void }) => {
    event.preventDefault()
    if (!draft.trim() && attached.length === 0) return
    send({ text: draft, files: attached }).catch(() => {})
    setDraft('')
    setAttached([])
    if (files.current) files.current.value = ''
  }
  return (
    <article
      className="card pane"
      aria-label={`Chat: ${session?.topic ?? id}`}
      onFocus={() => markRead().catch(() => {})}
    >
      <header>
        <h2>{session?.user.name}</h2>
        {unread > 0 && <span className="badge">{unread} unread</span>}
        {session?.meetingUrl && (
          <a className="button" href={session.meetingUrl} target="_blank" rel="noopener">
            Join video
          </a>
        )}
        <button type="button" className="secondary" onClick={() => close()}>
          Close
        </button>
      </header>
      <p className="topic">
        {session?.tool} · {session?.topic}
      </p>
      {session?.context && <ContextCard context={session.context} />}
      <ol ref={list} className="messages" aria-label="Messages" aria-live="polite">
        {messages.map((message) => (
          <MessageView
            key={message.key}
            message={message}
            mine={message.authorId === me?.id}
            builderName={session?.builder?.name}
            onRetry={() => retry(message.key)}
            renderPatch={(patch) => (
              <PatchView patch={patch} render={(diff) => <Code code={diff} language="diff" />} />
            )}
          />
        ))}
      </ol>
      {typing && <p className="typing">{session?.user.name} is typing…</p>}
      {patching && (
        <PatchForm
          onCancel={() => setPatching(false)}
          onSend={(patch) => {
            // The reply box's text goes with it (a message needs text; the card shows what the patch does).
            const text = draft.trim() || 'Here is a fix:'
            send({ text, patch: { diff: patch.diff, description: patch.description || undefined } }).catch(
              () => {},
            )
            setDraft('')
            setPatching(false)
          }}
        />
      )}
      <form className="composer" onSubmit={submit}>
        <textarea
          aria-label="Reply"
          rows={3}
          value={draft}
          onChange={(event) => {
            setDraft(event.target.value)
            notifyTyping()
          }}
          onKeyDown={(event) => {
            // Enter sends, Shift+Enter is a new line (as in the widget).
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event)
          }}
        />
        <div className="composer-actions">
          <label className="attach">
            <PaperClip /> Attach files
            <input
              ref={files}
              type="file"
              multiple
              onChange={(event) => setAttached([...(event.target.files ?? [])])}
            />
          </label>
          {attached.length > 0 && (
            <small className="attached">{attached.map((f) => f.name).join(', ')}</small>
          )}
          {session?.status === 'active' && !patching && (
            <button type="button" className="link" onClick={() => setPatching(true)}>
              Send as patch
            </button>
          )}
          {session?.kind === 'chat' && !suggested && (
            <button type="button" className="link" onClick={() => send(VIDEO_SUGGESTION).catch(() => {})}>
              Suggest a video call
            </button>
          )}
          <button type="submit">Send</button>
        </div>
      </form>
    </article>
  )
}

/** A paper clip drawn with a path: no emoji font needed (Debian's default fonts have none). */
function PaperClip() {
  return (
    <svg
      aria-hidden="true"
      width="16"
      height="16"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
    >
      <path d="M21 12.5l-8.5 8.5a5 5 0 01-7-7L14 5.5a3.5 3.5 0 015 5L10.5 19a2 2 0 01-3-3L15 8.5" />
    </svg>
  )
}

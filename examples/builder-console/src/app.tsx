import {
  useBuilderQueue,
  useConnection,
  useSession,
  useSessions,
  useSuportra,
  useUser,
} from '@suportra/react'
import { type FormEvent, useEffect, useRef, useState } from 'react'
import { MessageView } from '../../react-app/src/chat-parts.js'
import { ContextCard } from './context-card.js'

/** The builder's side: the live queue, claiming, and several chats side by side. */
export function App() {
  const user = useUser()
  const connection = useConnection()
  const client = useSuportra()
  if (!user) return <SignIn />
  if (user.role !== 'builder') {
    return (
      <main className="card">
        <p>This console is for builders. {user.email} is a user account.</p>
        <button type="button" onClick={() => client.auth.signOut()}>
          Sign out
        </button>
      </main>
    )
  }
  // Landmarks and headings: a banner with the page's h1, then the main area (queue and chats, h2 each).
  return (
    <div className="console">
      <header>
        <h1>Builder console</h1>
        <span>
          {user.name} · <span className={`dot ${connection}`}>{connection}</span>{' '}
          <button type="button" className="link" onClick={() => client.auth.signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        <Queue />
        <Chats builderId={user.id} />
      </main>
    </div>
  )
}

function SignIn() {
  const client = useSuportra()
  const [error, setError] = useState('')
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    try {
      await client.auth.signIn({ email: String(form.get('email')), password: String(form.get('password')) })
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'Sign-in failed')
    }
  }
  return (
    <main>
      <form className="card signin" onSubmit={submit}>
        <h1>Builder console</h1>
        <label>
          Email <input name="email" type="email" required />
        </label>
        <label>
          Password <input name="password" type="password" required />
        </label>
        {error && <p role="alert">{error}</p>}
        <button type="submit">Sign in</button>
      </form>
    </main>
  )
}

/** Re-renders every second, for "waiting for 2 min". */
function useNow(): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  return now
}

const waited = (since: number, now: number) => {
  const seconds = Math.max(0, Math.round((now - since) / 1000))
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min`
}

function Queue() {
  const { queue, claim } = useBuilderQueue()
  const now = useNow()
  const [error, setError] = useState('')
  return (
    <section className="queue" aria-label="Queue">
      <h2>Waiting ({queue.length})</h2>
      {error && <p role="alert">{error}</p>}
      <ul>
        {queue.map((session) => (
          <li key={session.id} className="card">
            <strong>{session.topic}</strong>
            <small>
              {session.tool} · {session.user.name} · waiting {waited(session.createdAt, now)}
            </small>
            {session.context && <ContextCard context={session.context} />}
            <button
              type="button"
              onClick={() => claim(session.id).catch((caught: Error) => setError(caught.message))}
              aria-label={`Claim: ${session.topic}`}
            >
              Claim
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}

function Chats({ builderId }: { builderId: string }) {
  const { sessions } = useSessions()
  const mine = sessions.filter((s) => s.builder?.id === builderId && s.status === 'active')
  return (
    <section className="chats" aria-label="Your chats">
      {mine.length === 0 && <p className="empty">Claim a session from the queue to start helping.</p>}
      {mine.map((session) => (
        <ChatPane key={session.id} id={session.id} />
      ))}
    </section>
  )
}

function ChatPane({ id }: { id: string }) {
  const me = useUser()
  const { session, messages, typing, send, notifyTyping, markRead, close, retry } = useSession(id)
  const [draft, setDraft] = useState('')
  const files = useRef<HTMLInputElement>(null)
  const readUpTo = session?.readSeq.builder ?? 0
  const unread = messages.filter((m) => m.author === 'user' && m.seq !== null && m.seq > readUpTo).length
  const submit = (event: FormEvent) => {
    event.preventDefault()
    const attached = [...(files.current?.files ?? [])]
    if (!draft.trim() && attached.length === 0) return
    send({ text: draft, files: attached }).catch(() => {})
    setDraft('')
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
        <button type="button" className="secondary" onClick={() => close()}>
          Close
        </button>
      </header>
      <p>
        {session?.tool} · {session?.topic}
      </p>
      {session?.context && <ContextCard context={session.context} />}
      <ol className="messages" aria-label="Messages" aria-live="polite">
        {messages.map((message) => (
          <MessageView
            key={message.key}
            message={message}
            mine={message.authorId === me?.id}
            onRetry={() => retry(message.key)}
          />
        ))}
      </ol>
      {typing && <p className="typing">{session?.user.name} is typing…</p>}
      <form className="composer" onSubmit={submit}>
        <textarea
          aria-label="Reply"
          rows={2}
          value={draft}
          onChange={(event) => {
            setDraft(event.target.value)
            notifyTyping()
          }}
        />
        <input ref={files} type="file" multiple aria-label="Attach files" />
        <button type="submit">Send</button>
      </form>
    </article>
  )
}

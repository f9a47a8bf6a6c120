import type { Tool } from '@suportra/client'
import { useConnection, useCredits, useSession, useSessions, useSuportra, useUser } from '@suportra/react'
import { type FormEvent, useEffect, useState } from 'react'
import { MessageView } from './chat-parts.js'

/**
 * A vendor's own support page, built only from @suportra/react hooks (no widget): sign in, see the
 * balance, start a session, chat, end and rate it, look back at past ones.
 */
export function App() {
  const user = useUser()
  const connection = useConnection()
  const { balance } = useCredits()
  const client = useSuportra()
  const [open, setOpen] = useState<string>()
  return (
    <div className="page">
      <header>
        <strong>Vibe IDE · Help &amp; support</strong>
        {user && (
          <span>
            {user.name} · {balance ?? '…'} credits · <span className={`dot ${connection}`}>{connection}</span>{' '}
            <button type="button" className="link" onClick={() => client.auth.signOut()}>
              Sign out
            </button>
          </span>
        )}
      </header>
      {!user ? (
        <SignIn />
      ) : open ? (
        <Conversation id={open} onBack={() => setOpen(undefined)} />
      ) : (
        <Home onOpen={setOpen} />
      )}
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
    <form className="card" onSubmit={submit}>
      <h1>Get help from a human builder</h1>
      <label>
        Email <input name="email" type="email" required />
      </label>
      <label>
        Password <input name="password" type="password" required />
      </label>
      {error && <p role="alert">{error}</p>}
      <button type="submit">Sign in</button>
    </form>
  )
}

function Home({ onOpen }: { onOpen: (id: string) => void }) {
  const client = useSuportra()
  const { sessions, start } = useSessions()
  const [tools, setTools] = useState<Tool[]>([])
  const [error, setError] = useState('')
  useEffect(() => {
    client.tools().then(setTools, () => {})
  }, [client])
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    try {
      const handle = await start({ tool: String(form.get('tool')), topic: String(form.get('topic')) })
      onOpen(handle.id)
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'Could not start')
    }
  }
  return (
    <>
      <form className="card" onSubmit={submit}>
        <h1>What are you stuck on?</h1>
        <label>
          Tool
          <select name="tool">
            {tools.map((tool) => (
              <option key={tool.id} value={tool.id}>
                {tool.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Blocker <textarea name="topic" required rows={3} />
        </label>
        {error && <p role="alert">{error}</p>}
        <button type="submit">Start a session</button>
      </form>
      <section className="card">
        <h2>Your sessions</h2>
        <ul className="sessions">
          {sessions.map((session) => (
            <li key={session.id}>
              <button type="button" className="link" onClick={() => onOpen(session.id)}>
                {session.topic}
              </button>{' '}
              <small>
                {session.tool} · {session.status}
              </small>
            </li>
          ))}
        </ul>
      </section>
    </>
  )
}

function Conversation({ id, onBack }: { id: string; onBack: () => void }) {
  const me = useUser()
  const { session, messages, typing, send, notifyTyping, markRead, close, cancel, rate, retry } =
    useSession(id)
  const [draft, setDraft] = useState('')
  const [rated, setRated] = useState(false)
  useEffect(() => {
    if (messages.length) markRead().catch(() => {})
  }, [messages.length, markRead])
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!draft.trim()) return
    send(draft).catch(() => {})
    setDraft('')
  }
  const ended = session?.status === 'closed' || session?.status === 'cancelled'
  return (
    <section className="card chat">
      <button type="button" className="link" onClick={onBack}>
        ← All sessions
      </button>
      <h1>{session?.topic ?? '…'}</h1>
      {session?.status === 'waiting' && (
        <p role="status">
          Waiting for a builder{session.queue ? ` — #${session.queue.position} in the queue` : ''}.{' '}
          <button type="button" className="link" onClick={() => cancel()}>
            Cancel
          </button>
        </p>
      )}
      {session?.builder && <p>Talking with {session.builder.name}</p>}
      <ol className="messages" aria-label="Messages" aria-live="polite">
        {messages.map((message) => (
          <MessageView
            key={message.key}
            message={message}
            mine={message.authorId === me?.id}
            builderName={session?.builder?.name}
            onRetry={() => retry(message.key)}
          />
        ))}
      </ol>
      {typing && <p className="typing">{session?.builder?.name ?? 'The builder'} is typing…</p>}
      {!ended && (
        <form className="composer" onSubmit={submit}>
          <textarea
            aria-label="Message"
            value={draft}
            rows={2}
            onChange={(event) => {
              setDraft(event.target.value)
              notifyTyping()
            }}
          />
          <button type="submit">Send</button>
          {session?.status === 'active' && (
            <button type="button" className="secondary" onClick={() => close()}>
              End session
            </button>
          )}
        </form>
      )}
      {session?.status === 'closed' && !session.rating && !rated && (
        <fieldset className="rate">
          <legend>Rate this session</legend>
          {[1, 2, 3, 4, 5].map((score) => (
            <button key={score} type="button" onClick={() => rate({ score }).then(() => setRated(true))}>
              {score} ★
            </button>
          ))}
        </fieldset>
      )}
      {(rated || session?.rating) && <p>Thanks for rating!</p>}
    </section>
  )
}

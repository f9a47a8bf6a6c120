import { useBuilderQueue, useConnection, useSessions, useSuportra, useUser } from '@suportra/react'
import { type FormEvent, useState } from 'react'
import { useQueueAnnouncer } from './announce.js'
import { AvailabilitySwitch } from './availability.js'
import { ChatPane } from './chat-pane.js'
import { Queue } from './queue.js'

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
        <Announcer />
        <AvailabilitySwitch />
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

/**
 * What just entered the queue (shown, and read out by screen readers), the count in the page title,
 * and the switch for a chime.
 */
function Announcer() {
  const { queue } = useBuilderQueue()
  const { sound, toggleSound, latest } = useQueueAnnouncer(queue.length)
  const waiting = latest && queue.some((s) => s.id === latest.id)
  return (
    <span className="announcer">
      <span className="announce" role="status">
        {waiting ? `New in the queue: ${latest.topic} (${latest.tool})` : ''}
      </span>
      <button type="button" className="secondary sound" aria-pressed={sound} onClick={toggleSound}>
        {sound ? 'Sound on' : 'Sound off'}
      </button>
    </span>
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

import { useBuilderQueue } from '@suportra/react'
import { useEffect, useState } from 'react'
import { ContextCard } from './context-card.js'

/** Re-renders every second, for "waiting 2 min". */
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

/** The waiting sessions of the tools this builder covers, oldest first, each with Claim. */
export function Queue() {
  const { queue, claim } = useBuilderQueue()
  const now = useNow()
  const [error, setError] = useState('')
  const onClaim = (id: string) =>
    claim(id).then(
      // A claim that worked answers the question the last error asked.
      () => setError(''),
      (caught: Error) => setError(caught.message),
    )
  return (
    <section className="queue" aria-label="Queue">
      <h2>Waiting ({queue.length})</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ul>
        {queue.map((session) => (
          <li key={session.id} className="card">
            <strong>{session.topic}</strong>
            <small>
              {session.tool} · {session.user.name} · waiting {waited(session.createdAt, now)}
            </small>
            {session.context && <ContextCard context={session.context} />}
            <button type="button" onClick={() => onClaim(session.id)} aria-label={`Claim: ${session.topic}`}>
              Claim
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}

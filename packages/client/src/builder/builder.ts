import { QueueResponse, type Session, SessionResponse } from '@suportra/protocol'
import { atom } from 'nanostores'
import { whileWatched } from '../core/watch.js'
import type { Http } from '../http/http.js'
import type { SessionHandle } from '../sessions/session-handle.js'
import type { Sessions } from '../sessions/sessions.js'

/** For builders: the queue of waiting sessions, and claiming one. */
export class Builder {
  /** Waiting sessions for the tools you cover, oldest first; live. */
  readonly $queue = atom<Session[]>([])
  readonly #http: Http
  readonly #sessions: Sessions

  constructor(http: Http, sessions: Sessions, retain: () => () => void) {
    this.#http = http
    this.#sessions = sessions
    whileWatched(this.$queue, retain, () => this.refresh())
  }

  async refresh(): Promise<Session[]> {
    const { queue } = await this.#http('/v1/builder/queue', QueueResponse)
    this.$queue.set(queue)
    return queue
  }

  /** Claims a waiting session. Exactly one builder wins; the others get a `conflict` error. */
  async claim(sessionId: string): Promise<SessionHandle> {
    try {
      const { session } = await this.#http(`/v1/builder/sessions/${sessionId}/claim`, SessionResponse, {
        method: 'POST',
      })
      this.#sessions.receive(session)
      return this.#sessions.get(session.id)
    } finally {
      this.remove(sessionId)
    }
  }

  /** Applies a realtime queue event. */
  receive(action: 'added' | 'removed', session: Session): void {
    this.remove(session.id)
    if (action === 'added')
      this.$queue.set([...this.$queue.value, session].sort((a, b) => a.createdAt - b.createdAt))
  }

  remove(sessionId: string): void {
    this.$queue.set(this.$queue.value.filter((s) => s.id !== sessionId))
  }
}

import { JsonObject, QueueResponse, type Session, SessionResponse } from '@suportra/protocol'
import { atom } from 'nanostores'
import { liveStore } from '../core/live-store.js'
import type { Http } from '../http/http.js'
import type { SessionHandle } from '../sessions/session-handle.js'
import type { Sessions } from '../sessions/sessions.js'

/** For builders: the queue of waiting sessions, and claiming one. (A closure rather than a class: fewer bundle bytes.) */
export function createBuilder(http: Http, sessions: Sessions, retain: () => () => void) {
  /** Waiting sessions for the tools you cover, oldest first; live. */
  const $queue = atom<Session[]>([])

  const refresh = async (): Promise<Session[]> => {
    const { queue } = await http('/v1/builder/queue', QueueResponse)
    $queue.set(queue)
    return queue
  }

  const remove = (sessionId: string): void => {
    $queue.set($queue.value.filter((s) => s.id !== sessionId))
  }

  liveStore($queue, { retain, load: refresh })

  return {
    $queue,
    refresh,

    /** Claims a waiting session. Exactly one builder wins; the others get a `conflict` error. */
    async claim(sessionId: string): Promise<SessionHandle> {
      try {
        const { session } = await http(`/v1/builder/sessions/${sessionId}/claim`, SessionResponse, {
          method: 'POST',
        })
        sessions.receive(session)
        return sessions.get(session.id)
      } finally {
        remove(sessionId)
      }
    },

    /** Applies a realtime queue event. */
    receive(action: 'added' | 'removed', session: Session): void {
      remove(session.id)
      if (action === 'added') $queue.set([...$queue.value, session].sort((a, b) => a.createdAt - b.createdAt))
    },

    /**
     * Your available/away switch: with `available`, sets it; without, reads it. Users see builders
     * online while one is available and connected.
     */
    available: async (available?: boolean): Promise<boolean> =>
      // Checked loosely (`{ available }`, a boolean): its schema stays out of the core bundle.
      (
        await http(
          '/v1/builder/availability',
          JsonObject,
          available === undefined ? {} : { method: 'POST', body: { available } },
        )
      ).available === true,

    remove,
  } as const
}

export type Builder = ReturnType<typeof createBuilder>

import {
  type Session,
  type SessionContext,
  type SessionKind,
  SessionResponse,
  SessionsResponse,
} from '@suportra/protocol'
import { atom } from 'nanostores'
import { clientId } from '../core/ids.js'
import { liveStore } from '../core/live-store.js'
import type { storedValue } from '../core/storage.js'
import type { Http } from '../http/http.js'
import type { Outbox } from './outbox.js'
import { createSessionHandle, type SessionHandle } from './session-handle.js'

export interface StartInput {
  /** A tool id from `client.tools()`. */
  tool: string
  /** The blocker, in the user's words. */
  topic: string
  context?: SessionContext
  kind?: SessionKind
  /** The page the session starts from: the away email links back to it (the widget sends `location.href`). */
  returnUrl?: string
}

type Cache = ReturnType<typeof storedValue<Session[]>>

interface Deps {
  outbox: Outbox
  retain(): () => void
  me(): string | undefined
}

/**
 * The signed-in person's sessions: as user, and (for builders) those assigned to them. (A closure
 * rather than a class: `this.#` on every field costs the bundle bytes.)
 */
export function createSessions(http: Http, deps: Deps) {
  /** Newest first; loads when first watched and follows realtime events. */
  const $list = atom<Session[]>([])
  const handles = new Map<string, SessionHandle>()
  /** The signed-in person's ongoing sessions as last seen, kept for a reload without the server. */
  let cache: Cache | undefined

  const keep = (list: Session[]): void => {
    $list.set(list)
    // Waiting and active ones: those have no `closedAt`.
    cache?.set(list.filter((s) => !s.closedAt))
  }

  /** A fresh copy of a session from anywhere: updates the list and its handle. */
  const receive = (session: Session): void => {
    const list = $list.value
    const index = list.findIndex((s) => s.id === session.id)
    keep(index === -1 ? [session, ...list] : list.map((s, i) => (i === index ? session : s)))
    handles.get(session.id)?.receiveSession(session)
  }

  /** The handle for a session (the same object for the same id). */
  const get = (id: string): SessionHandle => {
    let handle = handles.get(id)
    if (!handle) {
      handle = createSessionHandle(id, { ...deps, http, onSession: receive })
      const known = $list.value.find((s) => s.id === id)
      if (known) handle.$session.set(known)
      handles.set(id, handle)
    }
    return handle
  }

  /** Fetches the list again. */
  const list = async (): Promise<Session[]> => {
    const asked = cache
    const { sessions } = await http('/v1/sessions', SessionsResponse)
    // Asked for by someone who has signed out or been replaced since: not shown, not kept.
    if (asked === cache) {
      keep(sessions)
      for (const session of sessions) handles.get(session.id)?.receiveSession(session)
    }
    return sessions
  }

  liveStore($list, { retain: deps.retain, load: list })

  return {
    $list,

    /**
     * Starts a session and holds its cost. Retried on network failures with one idempotency key,
     * so a retry never starts (or charges for) a second session.
     */
    async start(input: StartInput): Promise<SessionHandle> {
      const { session } = await http('/v1/sessions', SessionResponse, {
        method: 'POST',
        body: input,
        headers: { 'idempotency-key': clientId('s') },
        retry: true,
      })
      receive(session)
      return get(session.id)
    },

    list,
    get,

    /** Every handle created so far. */
    handles: (): IterableIterator<SessionHandle> => handles.values(),

    receive,

    /**
     * Signed in: the ongoing sessions kept in `cache` show at once — after a reload while the server
     * cannot be reached too, with their unsent messages — until the list loads; it keeps them from now on.
     */
    load(kept: Cache): void {
      cache = kept
      $list.set(kept.get() ?? [])
    },

    /** Signed out or replaced (`erase`: the stored copy goes too) or destroyed: forget everything. */
    reset(erase?: boolean): void {
      if (erase) cache?.set(undefined)
      cache = undefined
      for (const handle of handles.values()) handle.dispose()
      handles.clear()
      $list.set([])
    },
  } as const
}

export type Sessions = ReturnType<typeof createSessions>

import {
  type Session,
  type SessionContext,
  type SessionKind,
  SessionResponse,
  SessionsResponse,
} from '@suportra/protocol'
import { atom } from 'nanostores'
import { clientId } from '../core/ids.js'
import type { storedValue } from '../core/storage.js'
import { whileWatched } from '../core/watch.js'
import type { Http } from '../http/http.js'
import type { Outbox } from './outbox.js'
import { SessionHandle } from './session-handle.js'

export interface StartInput {
  /** A tool id from `client.tools()`. */
  tool: string
  /** The blocker, in the user's words. */
  topic: string
  context?: SessionContext
  kind?: SessionKind
}

type Cache = ReturnType<typeof storedValue<Session[]>>

interface Deps {
  outbox: Outbox
  retain(): () => void
  me(): string | undefined
}

/** The signed-in person's sessions: as user, and (for builders) those assigned to them. */
export class Sessions {
  /** Newest first; loads when first watched and follows realtime events. */
  readonly $list = atom<Session[]>([])
  readonly #http: Http
  readonly #handles = new Map<string, SessionHandle>()
  readonly #deps: Deps
  /** The signed-in person's ongoing sessions as last seen, kept for a reload without the server. */
  #cache: Cache | undefined

  constructor(http: Http, deps: Deps) {
    this.#http = http
    this.#deps = deps
    whileWatched(this.$list, deps.retain, () => this.list())
  }

  /**
   * Starts a session and holds its cost. Retried on network failures with one idempotency key,
   * so a retry never starts (or charges for) a second session.
   */
  async start(input: StartInput): Promise<SessionHandle> {
    const { session } = await this.#http('/v1/sessions', SessionResponse, {
      method: 'POST',
      body: input,
      headers: { 'idempotency-key': clientId('s') },
      retry: true,
    })
    this.receive(session)
    return this.get(session.id)
  }

  /** Fetches the list again. */
  async list(): Promise<Session[]> {
    const cache = this.#cache
    const { sessions } = await this.#http('/v1/sessions', SessionsResponse)
    // Asked for by someone who has signed out or been replaced since: not shown, not kept.
    if (cache === this.#cache) {
      this.#keep(sessions)
      for (const session of sessions) this.#handles.get(session.id)?.receiveSession(session)
    }
    return sessions
  }

  /** The handle for a session (the same object for the same id). */
  get(id: string): SessionHandle {
    let handle = this.#handles.get(id)
    if (!handle) {
      handle = new SessionHandle(id, {
        ...this.#deps,
        http: this.#http,
        onSession: (session) => this.receive(session),
      })
      const known = this.$list.value.find((s) => s.id === id)
      if (known) handle.$session.set(known)
      this.#handles.set(id, handle)
    }
    return handle
  }

  /** Every handle created so far. */
  handles(): IterableIterator<SessionHandle> {
    return this.#handles.values()
  }

  /** A fresh copy of a session from anywhere: updates the list and its handle. */
  receive(session: Session): void {
    const list = this.$list.value
    const index = list.findIndex((s) => s.id === session.id)
    this.#keep(index === -1 ? [session, ...list] : list.map((s, i) => (i === index ? session : s)))
    this.#handles.get(session.id)?.receiveSession(session)
  }

  /**
   * Signed in: the ongoing sessions kept in `cache` show at once — after a reload while the server
   * cannot be reached too, with their unsent messages — until the list loads; it keeps them from now on.
   */
  load(cache: Cache): void {
    this.#cache = cache
    this.$list.set(cache.get() ?? [])
  }

  /** Signed out or replaced (`erase`: the stored copy goes too) or destroyed: forget everything. */
  reset(erase?: boolean): void {
    if (erase) this.#cache?.set(undefined)
    this.#cache = undefined
    for (const handle of this.#handles.values()) handle.dispose()
    this.#handles.clear()
    this.$list.set([])
  }

  #keep(list: Session[]): void {
    this.$list.set(list)
    // Waiting and active ones: those have no `closedAt`.
    this.#cache?.set(list.filter((s) => !s.closedAt))
  }
}

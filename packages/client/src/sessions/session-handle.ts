import {
  type CodeBlock,
  type Message,
  MessagesResponse,
  OkResponse,
  type PatchInput,
  type PatchResultInput,
  type Session,
  SessionResponse,
} from '@suportra/protocol'
import { atom, type ReadableAtom } from 'nanostores'
import { SuportraError } from '../core/errors.js'
import { clientId } from '../core/ids.js'
import { derive, isWatched, liveStore } from '../core/live-store.js'
import type { Http } from '../http/http.js'
import type { Outbox } from './outbox.js'

/** A message as shown: stored ones are `sent`; ones still in the outbox are `pending` or `failed`. */
export type ChatMessage = Omit<Message, 'seq'> & {
  /** Null until the server has stored it. */
  seq: number | null
  status: 'sent' | 'pending' | 'failed'
  /** Why it failed (`status: 'failed'`). */
  error?: { code: SuportraError['code']; message: string }
  /** Stable across the pending → sent change; use it as the render key. */
  key: string
}

export type SendInput =
  | string
  | {
      text?: string
      code?: CodeBlock
      files?: Blob[]
      /** A fix as a unified diff (builders only). Send it with a `text` (what it does, say). */
      patch?: PatchInput
      /**
       * What the user's tool made of a builder's patch, with a `text` such as "Patch applied" (the
       * server words the stored message itself: "Patch applied" or "Patch failed: <detail>").
       */
      patchResult?: PatchResultInput
    }

export interface Typing {
  author: 'user' | 'builder'
  userId: string
}

export interface HandleDeps {
  http: Http
  outbox: Outbox
  retain(): () => void
  me(): string | undefined
  onSession(session: Session): void
}

const PAGE = 50
const TYPING_SHOWN_MS = 6_000
const TYPING_SENT_EVERY_MS = 2_000

function toChat(message: Message): ChatMessage & { seq: number } {
  return { ...message, status: 'sent', key: message.clientId ?? message.id }
}

/**
 * One session, for its user or its builder. `$messages` is the transcript in `seq` order (no
 * duplicates), followed by this session's unsent messages; it loads when first watched and follows
 * realtime events, filling any gap over HTTP. (A closure rather than a class: `this.#` on every field
 * costs the bundle bytes.)
 */
export function createSessionHandle(id: string, deps: HandleDeps) {
  const $session = atom<Session | undefined>(undefined)
  const $typing = atom<Typing | null>(null)
  /** True while older messages exist that `loadOlder()` can fetch. */
  const $hasOlder = atom(false)
  const $stored = atom<(ChatMessage & { seq: number })[]>([])
  const seqs = new Set<number>()
  /** Highest seq held with nothing missing below it (down to the oldest loaded page). */
  let contiguous = 0
  let loaded: Promise<void> | undefined
  let ready = false
  /** A resume frame went out while the first page loaded: what came between them reaches neither. */
  let recheck = false
  let filling: Promise<void> | undefined
  /** A gap was seen while a fill was running: fetch again when it ends. */
  let gapAgain = false
  /** The highest seq a read mark was sent for. */
  let readSent = 0
  let typingTimer: ReturnType<typeof setTimeout> | undefined
  let typingSentAt = 0

  const $messages = derive($stored, deps.outbox.$entries, (stored, entries) => {
    // This session's unsent messages (a handful: one pass over the transcript each) not stored yet.
    const own = entries.filter((e) => e.sessionId === id && !stored.some((m) => m.clientId === e.clientId))
    return own[0] ? [...stored, ...own] : stored
  })

  /** Loads the newest page (once). */
  const load = (): Promise<void> => {
    loaded ??= fetchPage({ limit: PAGE }).then(() => {
      // Live messages that came in before this page may be older than it: count from the oldest
      // message held, so any gap above it is filled. Seqs start at 1 with no gaps on the server, so
      // older messages exist exactly when the oldest held is not the first.
      const first = $stored.get()[0]?.seq ?? 1
      $hasOlder.set(first > 1)
      contiguous = Math.max(contiguous, first - 1)
      advance()
      ready = true
      // Realtime messages that arrived during the load may sit beyond a gap; after a resume frame
      // without this session, anything newer than the page may be missing: fetch it.
      catchUp(recheck ? 1 / 0 : ($stored.get().at(-1)?.seq ?? 0))
    })
    loaded.catch(() => {
      loaded = undefined
    })
    return loaded
  }

  /** Loads the page before the oldest message held; resolves false when the start is reached. */
  const loadOlder = async (): Promise<boolean> => {
    await load()
    const oldest = $stored.get()[0]?.seq
    if (!$hasOlder.get() || oldest === undefined) return false
    const page = await fetchPage({ before: oldest, limit: PAGE })
    $hasOlder.set(page.hasMore)
    return page.hasMore
  }

  const receiveRead = (side: 'user' | 'builder', seq: number): void => {
    const session = $session.value
    if (session && session.readSeq[side] < seq)
      $session.set({ ...session, readSeq: { ...session.readSeq, [side]: seq } })
  }

  /** Continuity was lost (too much missed): start over from the newest page. */
  const reload = (): Promise<void> => {
    seqs.clear()
    $stored.set([])
    contiguous = 0
    loaded = undefined
    ready = false
    return load()
  }

  const fetchPage = async (query: { before?: number; after?: number; limit: number }) => {
    const page = await deps.http(`/v1/sessions/${id}/messages`, MessagesResponse, { query })
    insert(page.messages)
    return page
  }

  /**
   * Makes sure everything up to `seq` gets fetched: fills the gap once the first page is in, or, if
   * that first load failed (the server was down) while someone watches, tries it again.
   */
  const catchUp = (seq: number): void => {
    if (ready) {
      if (seq > contiguous) fillGap()
    } else if (isWatched($messages)) load().catch(() => {})
  }

  /** Fetches everything after the last contiguous seq (single-flight). */
  const fillGap = (): void => {
    gapAgain = Boolean(filling)
    filling ??= (async () => {
      for (let more = true; more; ) {
        gapAgain = false
        more = (await fetchPage({ after: contiguous, limit: 200 })).hasMore
        advance()
        // Another gap opened meanwhile and this fetch did not close it.
        if (gapAgain && ($stored.get().at(-1)?.seq ?? 0) > contiguous) more = true
      }
    })()
      .catch(() => {})
      .finally(() => {
        filling = undefined
      })
  }

  const insert = (messages: Message[]) => {
    const fresh = messages.filter((m) => !seqs.has(m.seq))
    if (!fresh[0]) return
    for (const m of fresh) seqs.add(m.seq)
    // Nearly always in order already, which the sort handles in one linear pass.
    $stored.set([...$stored.get(), ...fresh.map(toChat)].sort((a, b) => a.seq - b.seq))
    advance()
  }

  const advance = () => {
    while (seqs.has(contiguous + 1)) contiguous++
  }

  const post = (action: string, body?: unknown) =>
    deps.http(`/v1/sessions/${id}/${action}`, OkResponse, { method: 'POST', body })

  /** GET the session (no action) or POST an action on it; either way the answer updates everyone. */
  const call = async (action: string, body?: unknown): Promise<Session> => {
    const { session } = await deps.http(`/v1/sessions/${id}${action}`, SessionResponse, {
      method: action ? 'POST' : 'GET',
      body,
    })
    deps.onSession(session)
    return session
  }

  /** Fetches the session again. */
  const refresh = (): Promise<Session> => call('')

  liveStore($messages, { retain: deps.retain, load })
  liveStore($session, { retain: deps.retain, load: refresh })

  return {
    id,
    $session,
    $typing,
    $messages: $messages as ReadableAtom<ChatMessage[]>,
    $hasOlder,

    /** The last seq held without a gap; realtime resumes from here (read for its resume frame). */
    get resumeFrom(): number | undefined {
      recheck = !ready && !!loaded
      return ready ? contiguous : undefined
    },

    load,
    refresh,
    loadOlder,

    /** Sends at once (shown as pending), stored first so nothing is lost. Resolves when the server has it. */
    send(input: SendInput): Promise<Message> {
      // `patch` and `patchResult` ride along as given (every name written out costs bytes).
      const {
        text = '',
        code = null,
        files = [],
        ...patch
      } = typeof input === 'string' ? { text: input } : input
      if (!text.trim() && !code && !files[0])
        return Promise.reject(new SuportraError('validation', 'Nothing to send'))
      const me = deps.me() ?? null
      const messageId = clientId('m')
      return deps.outbox.add(
        {
          id: messageId,
          clientId: messageId,
          key: messageId,
          sessionId: id,
          seq: null,
          author: $session.value?.builder?.id === me ? 'builder' : 'user',
          authorId: me,
          kind: files[0] ? 'file' : code ? 'code' : 'text',
          body: text,
          code,
          ...(patch as Pick<Message, 'patch' | 'patchResult'>),
          attachments: files.map((f) => ({
            id: '',
            url: '',
            name: (f as File).name ?? 'file',
            type: f.type,
            size: f.size,
          })),
          uploaded: [],
          createdAt: Date.now(),
          status: 'pending',
        },
        files,
      )
    },

    /** Sends a failed message again. */
    retry: (clientId: string): Promise<Message> => deps.outbox.retry(clientId),

    /** Drops a failed or pending message. */
    discard: (clientId: string): void => deps.outbox.discard(clientId),

    /** Tells the other side you are typing (throttled; call it on every keystroke). */
    typing(): void {
      const now = Date.now()
      if (now - typingSentAt < TYPING_SENT_EVERY_MS) return
      typingSentAt = now
      post('typing').catch(() => {})
    },

    /** Marks everything received as read. */
    async markRead(): Promise<void> {
      const session = $session.value
      const side = session && session.user.id === deps.me() ? 'user' : 'builder'
      const seq = contiguous
      if (seq <= readSent || (session && session.readSeq[side] >= seq)) return
      readSent = seq
      await post('read', { seq })
      receiveRead(side, seq)
    },

    close: (): Promise<Session> => call('/close'),

    /** Withdraws a session nobody has joined yet; the credits held are released. */
    cancel: (): Promise<Session> => call('/cancel'),

    rate: (rating: { score: number; comment?: string }): Promise<Session> => call('/rating', rating),

    /** Deletes the messages and files of an ended session, for both sides. */
    async deleteTranscript(): Promise<void> {
      await deps.http(`/v1/sessions/${id}/transcript`, OkResponse, { method: 'DELETE' })
      await reload()
    },

    /** Turns an active chat into a video session (charged once); `meetingUrl` is then set. */
    upgradeToVideo: (): Promise<Session> => call('/video'),

    // ---- fed by the client ----

    receive(message: Message): void {
      if (message.sessionId !== id || seqs.has(message.seq)) return
      insert([message])
      if (message.author !== 'system' && $typing.get()?.author === message.author) $typing.set(null)
      catchUp(message.seq - 1)
    },

    /** Called by the client for every fresh copy of this session. */
    receiveSession(session: Session): void {
      // Every change of status adds a message: a copy behind the one held (a GET answered after a
      // realtime update) is older, and is dropped.
      if (session.lastSeq < ($session.value?.lastSeq ?? 0)) return
      $session.set(session)
      catchUp(session.lastSeq)
    },

    receiveTyping(typing: Typing): void {
      clearTimeout(typingTimer)
      $typing.set(typing)
      typingTimer = setTimeout(() => $typing.set(null), TYPING_SHOWN_MS)
    },

    receiveRead,
    reload,

    dispose(): void {
      clearTimeout(typingTimer)
    },
  } as const
}

export type SessionHandle = ReturnType<typeof createSessionHandle>

import {
  type CodeBlock,
  type Message,
  MessagesResponse,
  OkResponse,
  type Session,
  SessionResponse,
} from '@suportra/protocol'
import { atom, type ReadableAtom } from 'nanostores'
import { SuportraError } from '../core/errors.js'
import { clientId } from '../core/ids.js'
import { derive, whileWatched } from '../core/watch.js'
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

export type SendInput = string | { text?: string; code?: CodeBlock; files?: Blob[] }

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
 * realtime events, filling any gap over HTTP.
 */
export class SessionHandle {
  readonly id: string
  readonly $session = atom<Session | undefined>(undefined)
  readonly $typing = atom<Typing | null>(null)
  readonly $messages: ReadableAtom<ChatMessage[]>
  /** True while older messages exist that `loadOlder()` can fetch. */
  readonly $hasOlder = atom(false)

  readonly #deps: HandleDeps
  readonly #stored = atom<(ChatMessage & { seq: number })[]>([])
  readonly #seqs = new Set<number>()
  /** Highest seq held with nothing missing below it (down to the oldest loaded page). */
  #contiguous = 0
  #loaded: Promise<void> | undefined
  #ready = false
  #filling: Promise<void> | undefined
  /** A gap was seen while a fill was running: fetch again when it ends. */
  #gapAgain = false
  /** The highest seq a read mark was sent for. */
  #readSent = 0
  #typingTimer: ReturnType<typeof setTimeout> | undefined
  #typingSentAt = 0

  constructor(id: string, deps: HandleDeps) {
    this.id = id
    this.#deps = deps
    this.$messages = derive(this.#stored, deps.outbox.$entries, (stored, entries) => {
      let own = entries.filter((e) => e.sessionId === id)
      if (own[0]) {
        const shown = new Set(stored.map((m) => m.clientId))
        own = own.filter((e) => !shown.has(e.clientId))
      }
      return own[0] ? [...stored, ...own] : stored
    })
    whileWatched(this.$messages, deps.retain, () => this.load())
    whileWatched(this.$session, deps.retain, () => this.refresh())
  }

  /** The last seq held without a gap; realtime resumes from here. 0 until loaded. */
  get resumeFrom(): number | undefined {
    return this.#ready ? this.#contiguous : undefined
  }

  /** Loads the newest page (once). */
  load(): Promise<void> {
    this.#loaded ??= this.#fetch({ limit: PAGE }).then(() => {
      // Live messages that came in before this page may be older than it: count from the oldest
      // message held, so any gap above it is filled. Seqs start at 1 with no gaps on the server, so
      // older messages exist exactly when the oldest held is not the first.
      const first = this.#stored.get()[0]?.seq ?? 1
      this.$hasOlder.set(first > 1)
      this.#contiguous = Math.max(this.#contiguous, first - 1)
      this.#advance()
      this.#ready = true
      // Realtime messages that arrived during the load may sit beyond a gap.
      this.#catchUp(this.#stored.get().at(-1)?.seq ?? 0)
    })
    this.#loaded.catch(() => {
      this.#loaded = undefined
    })
    return this.#loaded
  }

  /** Fetches the session again. */
  refresh(): Promise<Session> {
    return this.#session('')
  }

  /** Loads the page before the oldest message held; resolves false when the start is reached. */
  async loadOlder(): Promise<boolean> {
    await this.load()
    const oldest = this.#stored.get()[0]?.seq
    if (!this.$hasOlder.get() || oldest === undefined) return false
    const page = await this.#fetch({ before: oldest, limit: PAGE })
    this.$hasOlder.set(page.hasMore)
    return page.hasMore
  }

  /** Sends at once (shown as pending), stored first so nothing is lost. Resolves when the server has it. */
  send(input: SendInput): Promise<Message> {
    const { text = '', code = null, files = [] } = typeof input === 'string' ? { text: input } : input
    if (!text.trim() && !code && !files[0])
      return Promise.reject(new SuportraError('validation', 'Nothing to send'))
    const me = this.#deps.me() ?? null
    const id = clientId('m')
    return this.#deps.outbox.add(
      {
        id,
        clientId: id,
        key: id,
        sessionId: this.id,
        seq: null,
        author: this.$session.value?.builder?.id === me ? 'builder' : 'user',
        authorId: me,
        kind: files[0] ? 'file' : code ? 'code' : 'text',
        body: text,
        code,
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
  }

  /** Sends a failed message again. */
  retry(clientId: string): Promise<Message> {
    return this.#deps.outbox.retry(clientId)
  }

  /** Drops a failed or pending message. */
  discard(clientId: string): void {
    this.#deps.outbox.discard(clientId)
  }

  /** Tells the other side you are typing (throttled; call it on every keystroke). */
  typing(): void {
    const now = Date.now()
    if (now - this.#typingSentAt < TYPING_SENT_EVERY_MS) return
    this.#typingSentAt = now
    this.#post('typing').catch(() => {})
  }

  /** Marks everything received as read. */
  async markRead(): Promise<void> {
    const session = this.$session.value
    const side = session && session.user.id === this.#deps.me() ? 'user' : 'builder'
    const seq = this.#contiguous
    if (seq <= this.#readSent || (session && session.readSeq[side] >= seq)) return
    this.#readSent = seq
    await this.#post('read', { seq })
    this.receiveRead(side, seq)
  }

  close(): Promise<Session> {
    return this.#session('/close')
  }

  /** Withdraws a session nobody has joined yet; the credits held are released. */
  cancel(): Promise<Session> {
    return this.#session('/cancel')
  }

  rate(rating: { score: number; comment?: string }): Promise<Session> {
    return this.#session('/rating', rating)
  }

  /** The whole transcript as Markdown (older pages are loaded first), to paste back into an AI tool. */
  async exportMarkdown(): Promise<string> {
    while (await this.loadOlder());
    const session = this.$session.value ?? (await this.refresh())
    let markdown = `# ${session.topic}\n`
    for (const m of this.#stored.get()) {
      if (m.kind === 'event') continue
      const who = m.author === 'user' ? session.user.name : session.builder?.name
      const code = m.code ? `\n\`\`\`${m.code.language}\n${m.code.content}\n\`\`\`` : ''
      markdown += `\n**${who}**: ${m.body}${code}${m.attachments.map((a) => `\n- ${a.name}`).join('')}\n`
    }
    return markdown
  }

  /** Deletes the messages and files of an ended session, for both sides. */
  async deleteTranscript(): Promise<void> {
    await this.#deps.http(`/v1/sessions/${this.id}/transcript`, OkResponse, { method: 'DELETE' })
    await this.reload()
  }

  /** Turns an active chat into a video session (charged once); `meetingUrl` is then set. */
  upgradeToVideo(): Promise<Session> {
    return this.#session('/video')
  }

  // ---- fed by the client ----

  receive(message: Message): void {
    if (message.sessionId !== this.id || this.#seqs.has(message.seq)) return
    this.#insert([message])
    if (message.author !== 'system' && this.$typing.get()?.author === message.author) this.$typing.set(null)
    this.#catchUp(message.seq - 1)
  }

  /** Called by the client for every fresh copy of this session. */
  receiveSession(session: Session): void {
    // Every change of status adds a message: a copy behind the one held (a GET answered after a
    // realtime update) is older, and is dropped.
    if (session.lastSeq < (this.$session.value?.lastSeq ?? 0)) return
    this.$session.set(session)
    this.#catchUp(session.lastSeq)
  }

  receiveTyping(typing: Typing): void {
    clearTimeout(this.#typingTimer)
    this.$typing.set(typing)
    this.#typingTimer = setTimeout(() => this.$typing.set(null), TYPING_SHOWN_MS)
  }

  receiveRead(side: 'user' | 'builder', seq: number): void {
    const session = this.$session.value
    if (session && session.readSeq[side] < seq)
      this.$session.set({ ...session, readSeq: { ...session.readSeq, [side]: seq } })
  }

  /** Continuity was lost (too much missed): start over from the newest page. */
  reload(): Promise<void> {
    this.#seqs.clear()
    this.#stored.set([])
    this.#contiguous = 0
    this.#loaded = undefined
    this.#ready = false
    return this.load()
  }

  dispose(): void {
    clearTimeout(this.#typingTimer)
  }

  // ---- internals ----

  async #fetch(query: { before?: number; after?: number; limit: number }) {
    const page = await this.#deps.http(`/v1/sessions/${this.id}/messages`, MessagesResponse, { query })
    this.#insert(page.messages)
    return page
  }

  /**
   * Makes sure everything up to `seq` gets fetched: fills the gap once the first page is in, or, if
   * that first load failed (the server was down) while someone watches, tries it again.
   */
  #catchUp(seq: number): void {
    if (this.#ready) {
      if (seq > this.#contiguous) this.#fillGap()
    } else if (this.$messages.lc > 0) this.load().catch(() => {})
  }

  /** Fetches everything after the last contiguous seq (single-flight). */
  #fillGap(): void {
    this.#gapAgain = Boolean(this.#filling)
    this.#filling ??= (async () => {
      for (let more = true; more; ) {
        this.#gapAgain = false
        more = (await this.#fetch({ after: this.#contiguous, limit: 200 })).hasMore
        this.#advance()
        // Another gap opened meanwhile and this fetch did not close it.
        if (this.#gapAgain && (this.#stored.get().at(-1)?.seq ?? 0) > this.#contiguous) more = true
      }
    })()
      .catch(() => {})
      .finally(() => {
        this.#filling = undefined
      })
  }

  #insert(messages: Message[]) {
    const fresh = messages.filter((m) => !this.#seqs.has(m.seq))
    if (!fresh[0]) return
    for (const m of fresh) this.#seqs.add(m.seq)
    // Nearly always in order already, which the sort handles in one linear pass.
    this.#stored.set([...this.#stored.get(), ...fresh.map(toChat)].sort((a, b) => a.seq - b.seq))
    this.#advance()
  }

  #advance() {
    while (this.#seqs.has(this.#contiguous + 1)) this.#contiguous++
  }

  #post(action: string, body?: unknown) {
    return this.#deps.http(`/v1/sessions/${this.id}/${action}`, OkResponse, { method: 'POST', body })
  }

  /** GET the session (no action) or POST an action on it; either way the answer updates everyone. */
  async #session(action: string, body?: unknown): Promise<Session> {
    const { session } = await this.#deps.http(`/v1/sessions/${this.id}${action}`, SessionResponse, {
      method: action ? 'POST' : 'GET',
      body,
    })
    this.#deps.onSession(session)
    return session
  }
}

import {
  AttachmentResponse,
  MAX_ATTACHMENT_BYTES,
  MAX_TEXT_LENGTH,
  type Message,
  MessageResponse,
} from '@suportra/protocol'
import { atom } from 'nanostores'
import { isRetryable, SuportraError } from '../core/errors.js'
import { type StorageLike, storedValue } from '../core/storage.js'
import type { Http } from '../http/http.js'

/**
 * A message stored before it is sent: shown as it will look (`status` pending or failed, `seq`
 * null), and kept with its id across retries, reconnects and reloads.
 */
export type OutboxEntry = Omit<Message, 'seq'> & {
  seq: null
  status: 'pending' | 'failed'
  error?: { code: SuportraError['code']; message: string }
  key: string
  /** Ids of the files uploaded so far, in the order of `attachments`. */
  uploaded: string[]
}

const RETRY_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000]

/**
 * The persistent outbox. Each session's messages go out one at a time, in the order written (a
 * promise chain per session), so the server numbers them in that order. Transient failures are
 * retried with the same id (the server keeps one message per id); permanent ones mark it `failed`.
 */
export class Outbox {
  readonly $entries = atom<OutboxEntry[]>([])
  readonly #storage: StorageLike
  readonly #prefix: string
  readonly #http: Http
  readonly #onSent: (message: Message) => void
  /** File contents by message id; memory only, so a file not uploaded before a reload must be attached again. */
  readonly #blobs = new Map<string, Blob[]>()
  readonly #chains = new Map<string, Promise<unknown>>()
  #stored: ReturnType<typeof storedValue<OutboxEntry[]>> | undefined
  /** End the current retry waits early. */
  readonly #wakers = new Set<() => void>()
  /** Bumped on sign-out and destroy: older send loops stop. */
  #generation = 0

  constructor(storage: StorageLike, prefix: string, http: Http, onSent: (message: Message) => void) {
    this.#storage = storage
    this.#prefix = prefix
    this.#http = http
    this.#onSent = onSent
  }

  /** Loads a user's outbox (after sign-in or on start) and sends what is pending. */
  load(userId: string): void {
    this.#stored = storedValue<OutboxEntry[]>(this.#storage, `${this.#prefix}outbox:${userId}`)
    for (const entry of this.#update((entries) => entries)) {
      if (entry.status === 'pending') this.#enqueue(entry).catch(() => {})
    }
  }

  /** Forgets the outbox; with `erase`, also removes it from storage (sign-out). */
  unload(erase: boolean): void {
    if (erase) this.#stored?.set(undefined)
    this.#stored = undefined
    this.destroy()
    this.$entries.set([])
  }

  /** Stores the entry, then sends it. Resolves with the stored message. */
  add(entry: OutboxEntry, blobs: Blob[]): Promise<Message> {
    if (!this.#stored) return Promise.reject(new SuportraError('unauthorized'))
    this.#blobs.set(entry.id, blobs)
    this.#update((entries) => [...entries, entry])
    const refused = this.#refusal(entry)
    return refused ? this.#fail(entry, refused) : this.#enqueue(entry)
  }

  /** Sends a failed message again, with the same id. */
  retry(id: string): Promise<Message> {
    const entry = this.#find(id)
    if (entry?.status !== 'failed') return Promise.reject(new SuportraError(entry ? 'conflict' : 'not_found'))
    const { error: _, ...pending } = entry
    this.#replace({ ...pending, status: 'pending' })
    return this.#enqueue(entry)
  }

  /** Drops an unsent message (a send in flight may still arrive). */
  discard(id: string): void {
    this.#update((entries) => entries.filter((e) => e.id !== id))
    this.#blobs.delete(id)
  }

  /** Retry now rather than waiting out the backoff (connection back, page visible). */
  nudge(): void {
    for (const wake of this.#wakers) wake()
  }

  /** Stops sending; what is stored stays stored. */
  destroy(): void {
    this.#generation++
    this.nudge()
    this.#blobs.clear()
    this.#chains.clear()
  }

  #enqueue(entry: OutboxEntry): Promise<Message> {
    const generation = this.#generation
    const sent = (this.#chains.get(entry.sessionId) ?? Promise.resolve()).then(() =>
      this.#send(entry.id, generation),
    )
    this.#chains.set(
      entry.sessionId,
      sent.catch(() => {}),
    )
    return sent
  }

  async #send(id: string, generation: number): Promise<Message> {
    for (let attempt = 0; ; attempt++) {
      const entry = this.#find(id)
      if (generation !== this.#generation || !entry) throw new SuportraError('network', 'Kept in the outbox')
      try {
        const message = await this.#deliver(entry)
        // Show the stored copy first, so the message never drops out of the list in between.
        this.#onSent(message)
        this.discard(id)
        return message
      } catch (error) {
        if (!isRetryable(error)) return this.#fail(entry, error)
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer)
            this.#wakers.delete(wake)
            resolve()
          }
          const timer = setTimeout(wake, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)])
          this.#wakers.add(wake)
        })
      }
    }
  }

  /** What the server would refuse anyway, found before anything is sent. */
  #refusal(entry: OutboxEntry): SuportraError | undefined {
    if (entry.body.length > MAX_TEXT_LENGTH)
      return new SuportraError('validation', `Over ${MAX_TEXT_LENGTH} characters`)
    if (this.#blobs.get(entry.id)?.some((blob) => blob.size > MAX_ATTACHMENT_BYTES)) {
      return new SuportraError('validation', `File over ${MAX_ATTACHMENT_BYTES / 2 ** 20} MB`)
    }
  }

  async #deliver(entry: OutboxEntry): Promise<Message> {
    const refused = this.#refusal(entry)
    if (refused) throw refused
    const { id, sessionId, attachments, uploaded } = entry
    if (uploaded.length < attachments.length) {
      const blob = this.#blobs.get(id)?.[uploaded.length]
      const file = attachments[uploaded.length]
      if (!blob || !file)
        throw new SuportraError('validation', `Attach ${file?.name} again: it was not uploaded`)
      const { attachment } = await this.#http(`/v1/sessions/${sessionId}/attachments`, AttachmentResponse, {
        method: 'POST',
        raw: blob,
        query: { name: file.name },
        headers: { 'content-type': file.type || 'application/octet-stream' },
      })
      this.#replace({ ...entry, uploaded: [...uploaded, attachment.id] })
      return this.#deliver(this.#find(id) ?? entry)
    }
    const body = {
      id,
      text: entry.body || undefined,
      code: entry.code ?? undefined,
      attachmentIds: uploaded[0] ? uploaded : undefined,
    }
    // A send with no answer is given up after a while and sent again: the server keeps one message per id.
    const { message } = await this.#http(`/v1/sessions/${sessionId}/messages`, MessageResponse, {
      method: 'POST',
      body,
      retry: false,
    })
    return message
  }

  /** Marks the entry failed (kept for retry or discard) and rejects its sender. */
  #fail(entry: OutboxEntry, cause: unknown): Promise<never> {
    const error = SuportraError.isInstance(cause) ? cause : new SuportraError('network', undefined, { cause })
    // The stored entry, not `entry`: it keeps the ids of files already uploaded.
    this.#replace({
      ...(this.#find(entry.id) ?? entry),
      status: 'failed',
      error: { code: error.code, message: error.message },
    })
    return Promise.reject(error)
  }

  #find(id: string) {
    return this.$entries.get().find((e) => e.id === id)
  }

  #replace(entry: OutboxEntry) {
    this.#update((entries) => entries.map((e) => (e.id === entry.id ? entry : e)))
  }

  /** Read-modify-write against storage, so tabs sharing it do not overwrite each other's entries. */
  #update(change: (entries: OutboxEntry[]) => OutboxEntry[]): OutboxEntry[] {
    const entries = change(this.#stored?.get() ?? this.$entries.get())
    this.#stored?.set(entries[0] ? entries : undefined)
    this.$entries.set(entries)
    return entries
  }
}

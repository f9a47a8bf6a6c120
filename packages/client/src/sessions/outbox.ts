import {
  AttachmentResponse,
  MAX_ATTACHMENT_BYTES,
  MAX_TEXT_LENGTH,
  type Message,
  MessageResponse,
} from '@suportra/protocol'
import { atom } from 'nanostores'
import { isRetryable, SuportraError } from '../core/errors.js'
import { retryDelay, sleep } from '../core/retry.js'
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

/** Waits between sends of one message: 500 ms, then doubling, up to 15 s, give or take a quarter (see retryDelay). */
const FIRST_RETRY_MS = 500

/**
 * The persistent outbox. Each session's messages go out one at a time, in the order written (a
 * promise chain per session), so the server numbers them in that order. Transient failures are
 * retried with the same id (the server keeps one message per id); permanent ones mark it `failed`.
 * (A closure rather than a class: `this.#` on every field costs the bundle bytes.)
 */
export function createOutbox(
  storage: StorageLike,
  prefix: string,
  http: Http,
  onSent: (message: Message) => void,
) {
  const $entries = atom<OutboxEntry[]>([])
  /** File contents by message id; memory only, so a file not uploaded before a reload must be attached again. */
  const blobs = new Map<string, Blob[]>()
  const chains = new Map<string, Promise<unknown>>()
  let stored: ReturnType<typeof storedValue<OutboxEntry[]>> | undefined
  /** End the current retry waits early. */
  const wakers = new Set<() => void>()
  /** Bumped on sign-out and destroy: older send loops stop. */
  let generation = 0

  /** Drops an unsent message (a send in flight may still arrive). */
  const discard = (id: string): void => {
    update((entries) => entries.filter((e) => e.id !== id))
    blobs.delete(id)
  }

  /** Retry now rather than waiting out the backoff (connection back, page visible). */
  const nudge = (): void => {
    for (const wake of wakers) wake()
  }

  /** Stops sending; what is stored stays stored. */
  const destroy = (): void => {
    generation++
    nudge()
    blobs.clear()
    chains.clear()
  }

  const enqueue = (entry: OutboxEntry): Promise<Message> => {
    const current = generation
    const sent = (chains.get(entry.sessionId) ?? Promise.resolve()).then(() => send(entry.id, current))
    chains.set(
      entry.sessionId,
      sent.catch(() => {}),
    )
    return sent
  }

  const send = async (id: string, current: number): Promise<Message> => {
    for (let attempt = 0; ; attempt++) {
      const entry = find(id)
      if (current !== generation || !entry) throw new SuportraError('network', 'Kept in the outbox')
      try {
        const message = await deliver(entry)
        // Show the stored copy first, so the message never drops out of the list in between.
        onSent(message)
        discard(id)
        return message
      } catch (error) {
        if (!isRetryable(error)) return fail(entry, error)
        await sleep(retryDelay(attempt, FIRST_RETRY_MS), wakers)
      }
    }
  }

  /** What the server would refuse anyway, found before anything is sent. */
  const refusal = (entry: OutboxEntry): SuportraError | undefined => {
    if (entry.body.length > MAX_TEXT_LENGTH)
      return new SuportraError('validation', `Over ${MAX_TEXT_LENGTH.toLocaleString('en')} characters`)
    if (blobs.get(entry.id)?.some((blob) => blob.size > MAX_ATTACHMENT_BYTES)) {
      return new SuportraError('validation', `File over ${MAX_ATTACHMENT_BYTES / 2 ** 20} MB`)
    }
  }

  const deliver = async (entry: OutboxEntry): Promise<Message> => {
    const refused = refusal(entry)
    if (refused) throw refused
    const { id, sessionId, attachments, uploaded } = entry
    if (uploaded.length < attachments.length) {
      const blob = blobs.get(id)?.[uploaded.length]
      const file = attachments[uploaded.length]
      if (!blob || !file)
        throw new SuportraError('validation', `Attach ${file?.name} again: it was not uploaded`)
      const { attachment } = await http(`/v1/sessions/${sessionId}/attachments`, AttachmentResponse, {
        method: 'POST',
        raw: blob,
        query: { name: file.name },
        headers: { 'content-type': file.type || 'application/octet-stream' },
      })
      replace({ ...entry, uploaded: [...uploaded, attachment.id] })
      return deliver(find(id) ?? entry)
    }
    const body = {
      id,
      text: entry.body || undefined,
      code: entry.code ?? undefined,
      attachmentIds: uploaded[0] ? uploaded : undefined,
      patch: entry.patch,
      patchResult: entry.patchResult,
    }
    // A send with no answer is given up after a while and sent again: the server keeps one message per id.
    const { message } = await http(`/v1/sessions/${sessionId}/messages`, MessageResponse, {
      method: 'POST',
      body,
      retry: false,
    })
    return message
  }

  /** Marks the entry failed (kept for retry or discard) and rejects its sender. */
  const fail = (entry: OutboxEntry, cause: unknown): Promise<never> => {
    const error = SuportraError.isInstance(cause) ? cause : new SuportraError('network', undefined, { cause })
    // The stored entry, not `entry`: it keeps the ids of files already uploaded.
    replace({
      ...(find(entry.id) ?? entry),
      status: 'failed',
      error: { code: error.code, message: error.message },
    })
    return Promise.reject(error)
  }

  const find = (id: string) => $entries.get().find((e) => e.id === id)

  const replace = (entry: OutboxEntry) => {
    update((entries) => entries.map((e) => (e.id === entry.id ? entry : e)))
  }

  /** Read-modify-write against storage, so tabs sharing it do not overwrite each other's entries. */
  const update = (change: (entries: OutboxEntry[]) => OutboxEntry[]): OutboxEntry[] => {
    const entries = change(stored?.get() ?? $entries.get())
    stored?.set(entries[0] ? entries : undefined)
    $entries.set(entries)
    return entries
  }

  return {
    $entries,

    /** Loads a user's outbox (after sign-in or on start) and sends what is pending. */
    load(userId: string): void {
      stored = storedValue<OutboxEntry[]>(storage, `${prefix}outbox:${userId}`)
      for (const entry of update((entries) => entries)) {
        if (entry.status === 'pending') enqueue(entry).catch(() => {})
      }
    },

    /** Forgets the outbox; with `erase`, also removes it from storage (sign-out). */
    unload(erase: boolean): void {
      if (erase) stored?.set(undefined)
      stored = undefined
      destroy()
      $entries.set([])
    },

    /** Stores the entry, then sends it. Resolves with the stored message. */
    add(entry: OutboxEntry, files: Blob[]): Promise<Message> {
      if (!stored) return Promise.reject(new SuportraError('unauthorized'))
      blobs.set(entry.id, files)
      update((entries) => [...entries, entry])
      const refused = refusal(entry)
      return refused ? fail(entry, refused) : enqueue(entry)
    },

    /** Sends a failed message again, with the same id. */
    retry(id: string): Promise<Message> {
      const entry = find(id)
      if (entry?.status !== 'failed')
        return Promise.reject(new SuportraError(entry ? 'conflict' : 'not_found'))
      const { error: _, ...pending } = entry
      replace({ ...pending, status: 'pending' })
      return enqueue(entry)
    },

    discard,
    nudge,
    destroy,
  } as const
}

export type Outbox = ReturnType<typeof createOutbox>

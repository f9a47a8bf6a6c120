import { type ErrorCode, MAX_ATTACHMENT_BYTES, MAX_TEXT_LENGTH, type Message } from '@suportra/protocol'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import * as z from 'zod/mini'
import { SuportraError } from '../core/errors.js'
import { memoryStorage, type StorageLike } from '../core/storage.js'
import type { Http, RequestOptions } from '../http/http.js'
import { createOutbox, type Outbox, type OutboxEntry } from './outbox.js'

interface Call {
  path: string
  options: RequestOptions
  /** The stored outbox when the request went out. */
  stored: OutboxEntry[] | null
  reply(): void
  fail(code: ErrorCode): void
}
type Outcome = 'ok' | 'hold' | ErrorCode

/**
 * A server that answers POST …/attachments and POST …/messages the way the real one does (checked
 * against the real response schemas). Each call takes the next scripted outcome: 'ok' (default),
 * an error code, or 'hold' (the test settles it with `call.reply()` / `call.fail(code)`).
 */
function fakeServer(storage: StorageLike) {
  const calls: Call[] = []
  const outcomes: Outcome[] = []
  let seq = 0
  let files = 0
  function answer(path: string, options: RequestOptions): unknown {
    if (path.endsWith('/attachments')) {
      const id = `att_${++files}`
      const type = options.headers?.['content-type'] ?? ''
      const size = (options.raw as Blob).size
      return { attachment: { id, name: String(options.query?.name), type, size, url: `/files/${id}` } }
    }
    const body = options.body as { id: string; text?: string; attachmentIds?: string[] }
    const message: Message = {
      ...{ id: `msg_${++seq}`, clientId: body.id, sessionId: path.split('/')[3] as string, seq },
      ...{ author: 'user', authorId: 'usr_me', kind: 'text', body: body.text ?? '', code: null },
      attachments: (body.attachmentIds ?? []).map((id) => ({ id, name: id, type: '', size: 0, url: '' })),
      createdAt: 0,
    }
    return { message }
  }
  const http = ((path: string, schema: z.ZodMiniType, options: RequestOptions = {}) =>
    new Promise((resolve, reject) => {
      const call: Call = {
        path,
        options,
        stored: JSON.parse(storage.getItem(KEY) ?? 'null'),
        reply: () => resolve(z.parse(schema, answer(path, options)) as never),
        fail: (code) => reject(new SuportraError(code)),
      }
      calls.push(call)
      const outcome = outcomes.shift() ?? 'ok'
      if (outcome === 'ok') call.reply()
      else if (outcome !== 'hold') call.fail(outcome)
    })) as Http
  const sent = (path = '/messages') => calls.filter((c) => c.path.endsWith(path))
  return { http, calls, outcomes, sent, ids: () => sent().map((c) => (c.options.body as { id: string }).id) }
}

const KEY = 'test:outbox:usr_me'
let n = 0
function entry(sessionId = 'ses_1', extra: Partial<OutboxEntry> = {}): OutboxEntry {
  const id = `m_test_${++n}`
  return {
    ...{ id, clientId: id, key: id, sessionId, seq: null, author: 'user', authorId: 'usr_me', kind: 'text' },
    ...{ body: `hello ${n}`, code: null, attachments: [], uploaded: [], createdAt: 0, status: 'pending' },
    ...extra,
  }
}
const flush = () => vi.advanceTimersByTimeAsync(0)
const outboxes: Outbox[] = []

function setup(storage = memoryStorage()) {
  const server = fakeServer(storage)
  const onSent = vi.fn()
  const outbox = createOutbox(storage, 'test:', server.http, onSent)
  outboxes.push(outbox)
  outbox.load('usr_me')
  const stored = (): OutboxEntry[] | null => JSON.parse(storage.getItem(KEY) ?? 'null')
  const add = (e: OutboxEntry, blobs: Blob[] = []) => outbox.add(e, blobs)
  return { outbox, server, storage, onSent, stored, add }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  for (const outbox of outboxes.splice(0)) outbox.destroy()
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('sending', () => {
  test('stores a message before sending it, and forgets it once the server has it', async () => {
    const t = setup()
    const e = entry()
    const sent = t.add(e)
    await flush()
    expect(t.server.calls[0]?.stored).toEqual([expect.objectContaining({ id: e.id, status: 'pending' })])
    const message = await sent
    expect(message).toMatchObject({ clientId: e.id, seq: 1 })
    expect(t.onSent).toHaveBeenCalledWith(message)
    expect(t.stored()).toBeNull()
    expect(t.outbox.$entries.get()).toEqual([])
  })

  test("sends a session's messages one at a time in the order written, other sessions unhindered", async () => {
    const t = setup()
    t.server.outcomes.push('hold')
    const [a, b, c] = [entry(), entry(), entry()] as const
    const sends = [t.add(a), t.add(b), t.add(c)]
    const other = entry('ses_2')
    const otherSent = t.add(other)
    await flush()
    expect(t.server.ids()).toEqual([a.id, other.id])
    await otherSent

    t.server.calls[0]?.reply()
    await Promise.all(sends)
    expect(t.server.ids()).toEqual([a.id, other.id, b.id, c.id])
  })

  test('retries a network failure with the same id after a growing pause', async () => {
    // The middle of the jitter range: each pause is its whole step (500 ms, then 1 s).
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const t = setup()
    t.server.outcomes.push('network', 'server')
    const e = entry()
    const sent = t.add(e)
    await flush()
    expect(t.outbox.$entries.get()[0]?.status).toBe('pending')
    await vi.advanceTimersByTimeAsync(499)
    expect(t.server.calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(t.server.calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(999)
    expect(t.server.calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(t.server.ids()).toEqual([e.id, e.id, e.id])
    await expect(sent).resolves.toMatchObject({ clientId: e.id })
  })

  test('nudge() retries at once instead of waiting out the pause', async () => {
    const t = setup()
    t.server.outcomes.push('network')
    const sent = t.add(entry())
    await flush()
    t.outbox.nudge()
    await flush()
    expect(t.server.calls).toHaveLength(2)
    await sent
  })
})

describe('failures', () => {
  test('marks a refused message failed, rejects its send, and still sends the next ones', async () => {
    const t = setup()
    t.server.outcomes.push('validation')
    const [a, b] = [entry(), entry()] as const
    const first = t.add(a)
    const second = t.add(b)
    await expect(first).rejects.toMatchObject({ code: 'validation' })
    await expect(second).resolves.toMatchObject({ clientId: b.id })
    const failed = { id: a.id, status: 'failed', error: { code: 'validation', message: 'Invalid input.' } }
    expect(t.outbox.$entries.get()).toEqual([expect.objectContaining(failed)])
    expect(t.stored()).toEqual([expect.objectContaining(failed)])
  })

  test('retry() sends a failed message again with the same id', async () => {
    const t = setup()
    t.server.outcomes.push('validation')
    const e = entry()
    await t.add(e).catch(() => {})
    const again = t.outbox.retry(e.id)
    expect(t.outbox.$entries.get()[0]).toMatchObject({ status: 'pending' })
    expect(t.outbox.$entries.get()[0]).not.toHaveProperty('error')
    await expect(again).resolves.toMatchObject({ clientId: e.id })
    expect(t.server.ids()).toEqual([e.id, e.id])
    expect(t.outbox.$entries.get()).toEqual([])
  })

  test('discard() removes a failed message from the outbox and from storage', async () => {
    const t = setup()
    t.server.outcomes.push('forbidden')
    const e = entry()
    await t.add(e).catch(() => {})
    t.outbox.discard(e.id)
    expect(t.outbox.$entries.get()).toEqual([])
    expect(t.stored()).toBeNull()
  })
})

describe('across reloads and tabs', () => {
  test('a new outbox sends what a destroyed one left pending, exactly once', async () => {
    const storage = memoryStorage()
    const before = setup(storage)
    before.server.outcomes.push('network')
    const e = entry()
    before.add(e).catch(() => {})
    await flush()
    before.outbox.destroy()

    const after = setup(storage)
    await flush()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(before.server.calls).toHaveLength(1)
    expect(after.server.ids()).toEqual([e.id])
    expect(after.onSent).toHaveBeenCalledWith(expect.objectContaining({ clientId: e.id }))
    expect(after.stored()).toBeNull()
  })

  test('signing out erases the outbox; unloading without erase keeps it stored', async () => {
    const t = setup()
    t.server.outcomes.push('hold', 'hold')
    t.add(entry()).catch(() => {})
    t.outbox.unload(false)
    expect(t.outbox.$entries.get()).toEqual([])
    expect(t.stored()).toHaveLength(1)

    t.outbox.load('usr_me')
    t.outbox.unload(true)
    expect(t.stored()).toBeNull()
    expect(t.outbox.$entries.get()).toEqual([])
  })

  test("two outboxes sharing one storage do not erase each other's messages", async () => {
    const storage = memoryStorage()
    const tabA = setup(storage)
    const tabB = setup(storage)
    tabA.server.outcomes.push('hold')
    tabB.server.outcomes.push('hold')
    const [a, b] = [entry(), entry()] as const
    tabA.add(a)
    tabB.add(b).catch(() => {})
    await flush()
    expect(tabA.stored()?.map((e) => e.id)).toEqual([a.id, b.id])

    tabA.server.calls[0]?.reply()
    await flush()
    expect(tabA.stored()?.map((e) => e.id)).toEqual([b.id])
    tabB.server.calls[0]?.fail('validation')
    await flush()
    expect(tabA.stored()).toEqual([expect.objectContaining({ id: b.id, status: 'failed' })])
  })
})

describe('files', () => {
  const file = (name: string, size: number) => ({ id: '', url: '', name, type: 'text/plain', size })

  test('uploads the files first, then sends the message with their ids', async () => {
    const t = setup()
    const blobs = [new Blob(['one']), new Blob(['second'])]
    const e = entry('ses_1', { kind: 'file', attachments: [file('a.txt', 3), file('b.txt', 6)] })
    await t.add(e, blobs)
    expect(t.server.calls.map((c) => c.path)).toEqual([
      '/v1/sessions/ses_1/attachments',
      '/v1/sessions/ses_1/attachments',
      '/v1/sessions/ses_1/messages',
    ])
    expect(t.server.calls[0]?.options).toMatchObject({
      method: 'POST',
      raw: blobs[0],
      query: { name: 'a.txt' },
    })
    expect(t.server.calls[1]?.options).toMatchObject({ raw: blobs[1], query: { name: 'b.txt' } })
    expect(t.server.calls[2]?.options.body).toMatchObject({ id: e.id, attachmentIds: ['att_1', 'att_2'] })
  })

  test('a message restored without its file fails and asks for the file again', async () => {
    const storage = memoryStorage()
    const e = entry('ses_1', { kind: 'file', attachments: [file('a.txt', 3)] })
    storage.setItem(KEY, JSON.stringify([e]))
    const t = setup(storage)
    await flush()
    expect(t.server.calls).toHaveLength(0)
    expect(t.outbox.$entries.get()[0]).toMatchObject({ status: 'failed', error: { code: 'validation' } })
  })

  test('refuses a file over the attachment limit without any request', async () => {
    const t = setup()
    const big = new Blob([new Uint8Array(MAX_ATTACHMENT_BYTES + 1)])
    const e = entry('ses_1', { kind: 'file', attachments: [file('big.bin', big.size)] })
    await expect(t.add(e, [big])).rejects.toMatchObject({ code: 'validation', message: 'File over 10 MB' })
    await flush()
    expect(t.server.calls).toHaveLength(0)
    expect(t.outbox.$entries.get()[0]).toMatchObject({ status: 'failed' })
  })

  test('refuses a text over the length limit without any request, naming the limit', async () => {
    const t = setup()
    const e = entry('ses_1', { body: 'a'.repeat(MAX_TEXT_LENGTH + 1) })
    await expect(t.add(e)).rejects.toMatchObject({ code: 'validation', message: 'Over 20,000 characters' })
    await flush()
    expect(t.server.calls).toHaveLength(0)
    expect(t.outbox.$entries.get()[0]).toMatchObject({ status: 'failed' })
  })
})

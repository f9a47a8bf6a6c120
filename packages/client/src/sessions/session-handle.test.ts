import type { Message, Session } from '@suportra/protocol'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import * as z from 'zod/mini'
import { memoryStorage } from '../core/storage.js'
import type { Http, RequestOptions } from '../http/http.js'
import { Outbox } from './outbox.js'
import { type ChatMessage, SessionHandle } from './session-handle.js'

const ID = 'ses_1'

function message(seq: number, extra: Partial<Message> = {}): Message {
  return {
    ...{ id: `msg_${seq}`, clientId: null, sessionId: ID, seq, author: 'builder', authorId: 'usr_builder' },
    ...{ kind: 'text', body: `message ${seq}`, code: null, attachments: [], createdAt: seq },
    ...extra,
  }
}

/**
 * The session's server side, in memory: GET messages with before/after/limit as the real server
 * pages them, GET the session, POST messages (one per client id), read, typing and the actions.
 * Answers are checked against the real response schemas. While `paused`, answers (computed when
 * the request arrives, as a server would) wait until `resume()`.
 */
function fakeServer(count: number) {
  const messages = Array.from({ length: count }, (_, i) => message(i + 1))
  const session: Session = {
    ...{ id: ID, appId: 'app_demo', tool: 'cursor', topic: 'Build fails', context: null, kind: 'chat' },
    ...{
      status: 'active',
      user: { id: 'usr_me', name: 'Ada' },
      builder: { id: 'usr_builder', name: 'Grace' },
    },
    ...{ cost: 1, createdAt: 0, assignedAt: 1, closedAt: null, rating: null, lastSeq: count },
    ...{ readSeq: { user: 0, builder: 0 }, queue: null, meetingUrl: null },
  }
  const calls: { method: string; path: string; query?: RequestOptions['query']; body?: unknown }[] = []
  let gate: Promise<void> | undefined
  let open = () => {}

  function answer(method: string, action: string, options: RequestOptions): unknown {
    if (method === 'GET' && action === '/messages') {
      const {
        before,
        after,
        limit = 50,
      } = options.query as { before?: number; after?: number; limit: number }
      if (after !== undefined) {
        const rest = messages.filter((m) => m.seq > after)
        return { messages: rest.slice(0, limit), hasMore: rest.length > limit }
      }
      const rest = messages.filter((m) => before === undefined || m.seq < before)
      return { messages: rest.slice(-limit), hasMore: rest.length > limit }
    }
    if (method === 'GET') return { session: current() }
    if (action === '/messages') {
      const { id, text } = options.body as { id: string; text: string }
      const known = messages.find((m) => m.clientId === id)
      return { message: known ?? add({ clientId: id, body: text, author: 'user', authorId: 'usr_me' }) }
    }
    if (action === '/read') session.readSeq.user = (options.body as { seq: number }).seq
    if (action === '/typing' || action === '/read') return { ok: true }
    return { session: { ...session, status: action === '/cancel' ? 'cancelled' : 'closed' } }
  }
  function current(): Session {
    return { ...session, lastSeq: messages.length }
  }
  function add(extra: Partial<Message> = {}): Message {
    const m = message(messages.length + 1, extra)
    messages.push(m)
    return m
  }
  const http = (async (path: string, schema: z.ZodMiniType, options: RequestOptions = {}) => {
    const method = options.method ?? 'GET'
    const action = path.slice(`/v1/sessions/${ID}`.length)
    calls.push({ method, path: action, query: options.query, body: options.body })
    const body = answer(method, action, options)
    await gate
    return z.parse(schema, body)
  }) as Http
  return {
    http,
    messages,
    calls,
    add,
    session: current,
    /** Requests for the transcript, as their query strings. */
    pages: () => calls.filter((c) => c.method === 'GET' && c.path === '/messages').map((c) => c.query),
    posts: (action: string) => calls.filter((c) => c.method === 'POST' && c.path === action),
    pause() {
      gate = new Promise((resolve) => {
        open = resolve
      })
    },
    resume() {
      gate = undefined
      open()
    },
  }
}

const flush = () => vi.advanceTimersByTimeAsync(0)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
let unsubscribes: (() => void)[] = []
const watch = (store: { listen(fn: () => void): () => void }) =>
  void unsubscribes.push(store.listen(() => {}))

/** A handle over a server holding `count` messages, with a real outbox that feeds sent messages back. */
async function setup(count: number, { watching = true } = {}) {
  const server = fakeServer(count)
  const outbox = new Outbox(memoryStorage(), 'test:', server.http, (m) => handle.receive(m))
  outbox.load('usr_me')
  let retained = 0
  const handle: SessionHandle = new SessionHandle(ID, {
    http: server.http,
    outbox,
    retain: () => {
      retained++
      return () => void retained--
    },
    me: () => 'usr_me',
    onSession: (session) => handle.receiveSession(session),
  })
  if (watching) watch(handle.$messages)
  await flush()
  const seqs = () => handle.$messages.get().map((m) => m.seq)
  return { server, outbox, handle, seqs, retained: () => retained }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  for (const unsubscribe of unsubscribes) unsubscribe()
  unsubscribes = []
  vi.useRealTimers()
})

describe('the transcript', () => {
  test('shows the newest page as soon as someone watches the messages', async () => {
    const t = await setup(120, { watching: false })
    expect(t.server.calls).toHaveLength(0)
    watch(t.handle.$messages)
    await flush()
    expect(t.server.pages()).toEqual([{ limit: 50 }])
    expect(t.seqs()).toEqual(range(71, 120))
    expect(t.handle.$hasOlder.get()).toBe(true)
  })

  test('reading stores nobody watches (as a server render does) fetches nothing and holds no connection', async () => {
    const t = await setup(3, { watching: false })
    for (const store of [t.handle.$messages, t.handle.$session, t.handle.$typing, t.handle.$hasOlder])
      store.get()
    await vi.advanceTimersByTimeAsync(2_000)
    expect(t.server.calls).toEqual([])
    expect(t.retained()).toBe(0)
    watch(t.handle.$messages)
    await flush()
    expect(t.retained()).toBe(1)
    expect(t.server.pages()).toEqual([{ limit: 50 }])
  })

  test('a store read in render and subscribed after paint (as UI hooks do) still loads, once, and lets go when left', async () => {
    const t = await setup(3, { watching: false })
    t.handle.$messages.get()
    await vi.advanceTimersByTimeAsync(100)
    const stop = t.handle.$messages.listen(() => {})
    await flush()
    expect(t.retained()).toBe(1)
    expect(t.server.pages()).toEqual([{ limit: 50 }])
    // StrictMode: unsubscribed and subscribed again at once — still one load and one hold.
    stop()
    const again = t.handle.$messages.listen(() => {})
    await vi.advanceTimersByTimeAsync(2_000)
    expect(t.retained()).toBe(1)
    expect(t.server.pages()).toHaveLength(1)
    again()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(t.retained()).toBe(0)
  })

  test('shows a message received twice only once', async () => {
    const t = await setup(3)
    t.handle.receive(message(3))
    t.handle.receive(t.server.add())
    t.handle.receive(message(4))
    expect(t.seqs()).toEqual([1, 2, 3, 4])
  })

  test('shows messages received out of order in seq order', async () => {
    const t = await setup(3)
    const [fourth, fifth] = [t.server.add(), t.server.add()]
    t.server.pause()
    t.handle.receive(fifth)
    t.handle.receive(fourth)
    expect(t.seqs()).toEqual([1, 2, 3, 4, 5])
    t.server.resume()
    await flush()
    expect(t.seqs()).toEqual([1, 2, 3, 4, 5])
  })

  test('fills a gap with exactly one request for what is missing', async () => {
    const t = await setup(10)
    const missed = [t.server.add(), t.server.add(), t.server.add()]
    t.server.pause()
    t.handle.receive(missed[2] as Message)
    t.handle.receive(missed[1] as Message)
    t.server.resume()
    await flush()
    expect(t.server.pages().slice(1)).toEqual([{ after: 10, limit: 200 }])
    expect(t.seqs()).toEqual(range(1, 13))
  })

  test('fills a second gap that opens while the first is being filled', async () => {
    const t = await setup(10)
    t.server.add()
    t.server.add()
    t.server.pause()
    t.handle.receive(t.server.add()) // 13: asks for 11…
    t.server.add()
    t.server.add()
    t.handle.receive(t.server.add()) // 16, while that answer (up to 13) is on its way
    t.server.resume()
    await flush()
    expect(t.seqs()).toEqual(range(1, 16))
  })

  test('a session fetched before a realtime update but answered after it does not undo the update', async () => {
    const t = await setup(3)
    t.server.pause()
    watch(t.handle.$session) // fetches the session: answered with the state of this moment, later
    await flush()
    const closing = t.server.add({ kind: 'event', body: 'closed' })
    t.handle.receiveSession({ ...t.server.session(), status: 'closed', lastSeq: closing.seq })
    t.server.resume()
    await flush()
    expect(t.server.calls.filter((c) => c.method === 'GET' && c.path === '')).toHaveLength(1)
    expect(t.handle.$session.get()).toMatchObject({ status: 'closed', lastSeq: 4 })
  })

  test('fetches what a session update says it is missing', async () => {
    const t = await setup(10)
    t.server.add()
    t.server.add()
    t.handle.receiveSession(t.server.session())
    await flush()
    expect(t.server.pages().slice(1)).toEqual([{ after: 10, limit: 200 }])
    expect(t.seqs()).toEqual(range(1, 12))
  })

  test('loads older pages backwards until the start', async () => {
    const t = await setup(120)
    await expect(t.handle.loadOlder()).resolves.toBe(true)
    expect(t.seqs()).toEqual(range(21, 120))
    await expect(t.handle.loadOlder()).resolves.toBe(false)
    expect(t.seqs()).toEqual(range(1, 120))
    expect(t.handle.$hasOlder.get()).toBe(false)
    await expect(t.handle.loadOlder()).resolves.toBe(false)
    expect(t.server.pages()).toEqual([{ limit: 50 }, { before: 71, limit: 50 }, { before: 21, limit: 50 }])
  })

  test('live messages older than the first page leave no hole: the gap up to the page is fetched', async () => {
    const t = await setup(80, { watching: false })
    // Delivered live before anyone watched (or while the first load was being retried).
    t.handle.receive(t.server.messages[4] as Message)
    t.handle.receive(t.server.messages[9] as Message)
    watch(t.handle.$messages)
    await flush()
    // Everything from the oldest message held is there; what is older comes with loadOlder().
    expect(t.seqs()).toEqual(range(5, 80))
    expect(t.handle.$hasOlder.get()).toBe(true)
    expect(t.server.pages()).toEqual([{ limit: 50 }, { after: 5, limit: 200 }])
    await t.handle.loadOlder()
    expect(t.seqs()).toEqual(range(1, 80))
    expect(t.handle.$hasOlder.get()).toBe(false)
  })

  test('a first load that failed is tried again when the next message arrives', async () => {
    const server = fakeServer(10)
    let down = true
    const http = ((path: string, schema: z.ZodMiniType, options?: RequestOptions) =>
      down ? Promise.reject(new Error('server down')) : server.http(path, schema, options)) as Http
    const outbox = new Outbox(memoryStorage(), 'test:', http, (m) => handle.receive(m))
    const handle: SessionHandle = new SessionHandle(ID, {
      http,
      outbox,
      retain: () => () => {},
      me: () => 'usr_me',
      onSession: (session) => handle.receiveSession(session),
    })
    watch(handle.$messages)
    await flush()
    down = false
    handle.receive(server.add())
    await flush()
    expect(handle.$messages.get().map((m) => m.seq)).toEqual(range(1, 11))
  })

  test('reload() drops everything and shows the newest page again', async () => {
    const t = await setup(120)
    await t.handle.loadOlder()
    for (let i = 0; i < 5; i++) t.server.add()
    const reloaded = t.handle.reload()
    expect(t.seqs()).toEqual([])
    await reloaded
    expect(t.seqs()).toEqual(range(76, 125))
    expect(t.server.pages().at(-1)).toEqual({ limit: 50 })
  })
})

describe('sending', () => {
  const mine = (list: readonly ChatMessage[], key: string) => list.filter((m) => m.key === key)

  test('shows a sent message at once as pending, then exactly once as sent', async () => {
    const t = await setup(2)
    t.server.pause()
    const sent = t.handle.send('It still fails')
    const shown = t.handle.$messages.get().at(-1)
    expect(shown).toMatchObject({ status: 'pending', seq: null, body: 'It still fails', author: 'user' })
    const key = shown?.key as string
    expect(shown?.clientId).toBe(key)

    t.server.resume()
    await sent
    expect(mine(t.handle.$messages.get(), key)).toEqual([expect.objectContaining({ status: 'sent', seq: 3 })])
    t.handle.receive(t.server.messages[2] as Message) // the realtime copy
    expect(mine(t.handle.$messages.get(), key)).toHaveLength(1)
    expect(t.seqs()).toEqual([1, 2, 3])
  })

  test('shows a message once when its realtime copy arrives before the answer', async () => {
    const t = await setup(2)
    t.server.pause()
    const sent = t.handle.send('Here is the log')
    await flush()
    t.handle.receive(t.server.messages[2] as Message)
    expect(t.seqs()).toEqual([1, 2, 3])
    t.server.resume()
    await sent
    expect(t.seqs()).toEqual([1, 2, 3])
  })

  test('never drops a message from the list while it turns from pending to sent', async () => {
    const t = await setup(2)
    const snapshots: (readonly ChatMessage[])[] = []
    unsubscribes.push(t.handle.$messages.listen((list) => void snapshots.push(list)))
    await t.handle.send('hello')
    const key = snapshots[0]?.at(-1)?.key as string
    expect(snapshots.map((list) => mine(list, key).length)).not.toContain(0)
  })

  test('sending, read marks and read events do not fetch a session nobody watches', async () => {
    const t = await setup(2)
    for (let i = 0; i < 3; i++) {
      await t.handle.send(`message ${i}`)
      await t.handle.markRead()
      t.handle.receiveRead('builder', 3 + i)
      await vi.advanceTimersByTimeAsync(2_000)
    }
    expect(t.server.calls.filter((c) => c.method === 'GET' && c.path === '')).toEqual([])
  })
})

describe('presence and read marks', () => {
  test('tells the other side about typing at most once every 2 seconds', async () => {
    const t = await setup(1)
    for (let i = 0; i < 5; i++) t.handle.typing()
    await vi.advanceTimersByTimeAsync(1_999)
    t.handle.typing()
    expect(t.server.posts('/typing')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    t.handle.typing()
    expect(t.server.posts('/typing')).toHaveLength(2)
  })

  test('shows who is typing for 6 seconds', async () => {
    const t = await setup(1)
    t.handle.receiveTyping({ author: 'builder', userId: 'usr_builder' })
    await vi.advanceTimersByTimeAsync(4_000)
    t.handle.receiveTyping({ author: 'builder', userId: 'usr_builder' })
    await vi.advanceTimersByTimeAsync(5_999)
    expect(t.handle.$typing.get()).toEqual({ author: 'builder', userId: 'usr_builder' })
    await vi.advanceTimersByTimeAsync(1)
    expect(t.handle.$typing.get()).toBeNull()
  })

  test("stops showing typing when that person's message arrives", async () => {
    const t = await setup(1)
    t.handle.receiveTyping({ author: 'builder', userId: 'usr_builder' })
    t.handle.receive(t.server.add({ author: 'user', authorId: 'usr_me' }))
    expect(t.handle.$typing.get()).not.toBeNull()
    t.handle.receive(t.server.add())
    expect(t.handle.$typing.get()).toBeNull()
  })

  test('marks the transcript read once, up to the last message held without a gap', async () => {
    const t = await setup(10)
    watch(t.handle.$session)
    await flush()
    t.handle.receive(message(12)) // 11 has not arrived
    await t.handle.markRead()
    await t.handle.markRead()
    expect(t.server.posts('/read').map((c) => c.body)).toEqual([{ seq: 10 }])
    expect(t.handle.$session.get()?.readSeq.user).toBe(10)
  })
})

import {
  createClient,
  memoryStorage,
  type SessionHandle,
  type StorageLike,
  type SuportraClient,
} from '@suportra/client'
import type { Message } from '@suportra/client/protocol'
import { DEMO } from '@suportra/server/testing'
import WebSocket from 'ws'
import type { Random } from './sizes.js'
import { type Tally, tally } from './transcript.js'

export { DEMO }

export const PASSWORD = DEMO.user.password

/** A client as a Node script would make one: `ws` for realtime, its own memory storage by default. */
export function makeClient(
  url: string,
  options: { storage?: StorageLike; fetch?: typeof fetch; WebSocket?: typeof WebSocket } = {},
): SuportraClient {
  return createClient({
    baseUrl: url,
    appId: DEMO.appId,
    storage: options.storage ?? memoryStorage(),
    WebSocket: options.WebSocket ?? WebSocket,
    ...(options.fetch && { fetch: options.fetch }),
  })
}

export async function signedIn(url: string, email: string, password = PASSWORD): Promise<SuportraClient> {
  const client = makeClient(url)
  await client.auth.signIn({ email, password })
  return client
}

/** One side of a conversation: its client, its handle on the session, and what it wrote, in order. */
export interface Side {
  name: string
  client: SuportraClient
  handle: SessionHandle
  written: string[]
  /** Every send's promise (the outbox resolves it once the server has the message). */
  sends: Promise<unknown>[]
  /** Sends the server acknowledged, and sends that gave up. */
  acked: number
  failed: number
}

export interface Conversation {
  sessionId: string
  user: Side
  builder: Side
  stop(): void
}

/** `user` starts a session, `builder` claims it; both watch the transcript as a UI would. */
export async function converse(
  names: [string, string],
  user: SuportraClient,
  builder: SuportraClient,
  topic: string,
): Promise<Conversation> {
  const mine = await user.sessions.start({ tool: 'cursor', topic })
  const theirs = await builder.builder.claim(mine.id)
  const offs = [mine.$messages.listen(() => {}), theirs.$messages.listen(() => {})]
  const side = (name: string, client: SuportraClient, handle: SessionHandle): Side => ({
    name,
    client,
    handle,
    written: [],
    sends: [],
    acked: 0,
    failed: 0,
  })
  return {
    sessionId: mine.id,
    user: side(names[0], user, mine),
    builder: side(names[1], builder, theirs),
    stop: () => {
      for (const off of offs) off()
    },
  }
}

/**
 * Writes `<name>#<n>` messages, one every `gapMs` (random in the range), until `until()` says stop
 * or `max` are written. With `backlog`, waits while that many are still unacknowledged (a person
 * does not type hundreds of messages into a chat that is not answering).
 */
export async function keepSending(
  side: Side,
  random: Random,
  gapMs: [number, number],
  until: () => boolean,
  options: { max?: number; backlog?: number } = {},
): Promise<void> {
  const max = options.max ?? Number.POSITIVE_INFINITY
  const backlog = options.backlog ?? Number.POSITIVE_INFINITY
  while (!until() && side.written.length < max) {
    if (side.written.length - side.acked - side.failed >= backlog) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      continue
    }
    const text = `${side.name}#${side.written.length}`
    side.written.push(text)
    side.sends.push(
      side.handle.send(text).then(
        () => {
          side.acked++
        },
        () => {
          side.failed++
        },
      ),
    )
    await new Promise((resolve) => setTimeout(resolve, random.int(gapMs[0], gapMs[1])))
  }
}

/** Whether every view shows exactly the stored transcript, everything sent. */
export function converged(stored: readonly Message[], conversation: Conversation): boolean {
  const ids = stored.map((m) => m.id).join()
  return [conversation.user, conversation.builder].every((side) => {
    const shown = side.handle.$messages.get()
    return shown.every((m) => m.status === 'sent') && shown.map((m) => m.id).join() === ids
  })
}

/** The tally of one conversation: both sides' writing, the database, both views. */
export function tallyConversation(stored: readonly Message[], conversation: Conversation): Tally {
  const { user, builder } = conversation
  return tally(
    new Map([
      [user.name, user.written],
      [builder.name, builder.written],
    ]),
    stored,
    [user, builder].map((side) => ({ name: side.name, messages: side.handle.$messages.get() })),
  )
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

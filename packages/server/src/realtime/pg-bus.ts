import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Logger } from '../log.js'
import type { BusMessage, EventBus } from './bus.js'

/** LISTEN/NOTIFY is scoped to one database, so instances on other databases never hear each other. */
const CHANNEL = 'suportra_realtime'
/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7_900
/** Notifications sent per statement; whatever queues up while one is in flight goes in the next. */
const BATCH = 256
/** Beyond this many unsent notifications (PostgreSQL unreachable) the oldest are dropped. */
const MAX_QUEUE = 20_000
const RECONNECT_MS = [100, 250, 500, 1_000, 2_000, 5_000]
/** What other instances may send (`resync` is only ever raised locally). */
const REMOTE_KINDS = new Set<string>(['event', 'personal', 'revoke', 'presence', 'availability'])
/** One statement, one implicit transaction: its notifications are delivered together, in order. */
const NOTIFY_SQL =
  'SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS t(payload, n) ORDER BY n'

/**
 * A whole message, or one piece of a message too big for one notification. `k` makes every
 * payload unique: PostgreSQL folds identical notifications sent in one transaction into one.
 */
type Envelope = { k: number; m: BusMessage } | { c: string; i: number; n: number; d: string }

/**
 * The bus between server instances on one PostgreSQL database, over LISTEN/NOTIFY (no second
 * component to run). `publish` delivers to this instance's listeners at once and queues a
 * NOTIFY for the others; one dedicated connection sends them in order and listens.
 *
 * Big events (a 64 KB session context, a 200 KB code message) are cut into pieces under the
 * 8000-byte NOTIFY limit, sent in the same statement and put together by each receiver. This keeps
 * the bus out of the schema and costs receivers no query; the alternative, a table of big payloads
 * with a reference in the NOTIFY, would add a write per event, a read per receiver and a cleanup.
 *
 * If the connection breaks, notifications from other instances may have been missed: the bus
 * reconnects and raises `resync` locally, and the hub then closes its sockets so that every client
 * resumes from the database (the source of truth). Unsent notifications wait in a bounded queue.
 */
export class PgBus implements EventBus {
  readonly #url: string
  readonly #log: Logger
  readonly #listeners = new Set<(message: BusMessage) => void>()
  readonly #id = randomBytes(6).toString('base64url')
  #client: pg.Client | undefined
  #queue: string[] = []
  #sending: Promise<void> | undefined
  #counter = 0
  readonly #partial = new Map<string, { n: number; got: number; parts: string[] }>()
  #attempt = 0
  #closed = false

  private constructor(url: string, log: Logger) {
    this.#url = url
    this.#log = log
  }

  /** Connects and starts listening; rejects if PostgreSQL cannot be reached. */
  static async connect(url: string, log: Logger): Promise<PgBus> {
    const bus = new PgBus(url, log)
    await bus.#connect()
    return bus
  }

  publish(message: BusMessage): void {
    this.#emit(message)
    if (message.kind === 'resync') return
    // The event's JSON is not sent twice: receivers serialise the event once themselves.
    const { data: _, ...crossing } = message.kind === 'event' ? message : { ...message, data: undefined }
    this.#queue.push(...this.#encode(crossing as BusMessage))
    if (this.#queue.length > MAX_QUEUE) {
      const dropped = this.#queue.splice(0, this.#queue.length - MAX_QUEUE).length
      this.#log.warn({ dropped }, 'realtime bus queue full; oldest notifications dropped')
    }
    this.#pump()
  }

  subscribe(listener: (message: BusMessage) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  connected(): boolean {
    return this.#client !== undefined
  }

  async close(): Promise<void> {
    this.#closed = true
    const deadline = Date.now() + 2_000
    while (this.#client && (this.#sending || this.#queue.length > 0) && Date.now() < deadline) {
      await (this.#sending ?? new Promise((resolve) => setTimeout(resolve, 10)))
    }
    const client = this.#client
    this.#client = undefined
    await client?.end().catch(() => {})
  }

  async #connect() {
    const client = new pg.Client({
      connectionString: this.#url,
      keepAlive: true,
      application_name: 'suportra-realtime',
    })
    client.on('notification', (n) => {
      // Our own notifications come back too; they were delivered locally when published.
      const own = n.processId === (client as pg.Client & { processID?: number }).processID
      if (n.channel === CHANNEL && n.payload && !own) this.#receive(n.payload)
    })
    client.on('error', (error) => this.#lost(client, error))
    client.on('end', () => this.#lost(client))
    await client.connect()
    try {
      // Notifications are not data: no need to wait for the WAL flush on each one.
      await client.query('SET synchronous_commit TO off')
      await client.query(`LISTEN ${CHANNEL}`)
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
    this.#client = client
    this.#pump()
  }

  #lost(client: pg.Client, error?: Error) {
    if (this.#client !== client) return
    this.#client = undefined
    client.end().catch(() => {})
    if (this.#closed) return
    this.#log.warn({ err: error }, 'realtime bus connection lost; reconnecting')
    this.#reconnect()
  }

  #reconnect() {
    const delay = RECONNECT_MS[Math.min(this.#attempt++, RECONNECT_MS.length - 1)]
    setTimeout(async () => {
      if (this.#closed) return
      try {
        await this.#connect()
        this.#attempt = 0
        this.#log.info('realtime bus reconnected')
        this.#emit({ kind: 'resync' })
      } catch (error) {
        this.#log.warn({ err: error }, 'realtime bus reconnect failed')
        this.#reconnect()
      }
    }, delay).unref()
  }

  #pump() {
    const client = this.#client
    if (this.#sending || !client || this.#queue.length === 0) return
    const batch = this.#queue.splice(0, BATCH)
    this.#sending = client
      .query(NOTIFY_SQL, [CHANNEL, batch])
      .then(
        () => {},
        (error: { code?: string }) => {
          // A refused statement would be refused again; a broken connection is retried after
          // reconnecting (receivers tolerate a repeat: clients drop messages they already hold).
          if (error.code) this.#log.error({ err: error }, 'realtime notifications refused; dropped')
          else this.#queue.unshift(...batch)
        },
      )
      .finally(() => {
        this.#sending = undefined
        this.#pump()
      })
  }

  #encode(message: BusMessage): string[] {
    const k = ++this.#counter
    const whole = JSON.stringify({ k, m: message } satisfies Envelope)
    if (Buffer.byteLength(whole) <= MAX_PAYLOAD_BYTES) return [whole]
    const data = JSON.stringify(message)
    const c = `${this.#id}.${k}`
    const pieces: string[] = []
    for (let at = 0; at < data.length; ) {
      let size = Math.min(data.length - at, MAX_PAYLOAD_BYTES - 100)
      for (;;) {
        let end = at + size
        if (end < data.length && isHighSurrogate(data.charCodeAt(end - 1))) end--
        const piece = data.slice(at, end)
        // Escaping can grow a code unit to 6 bytes (\u0001); shrink until the envelope fits.
        if (Buffer.byteLength(JSON.stringify(piece)) <= MAX_PAYLOAD_BYTES - 100 || size <= 64) {
          pieces.push(piece)
          at = end
          break
        }
        size = Math.floor(size * 0.7)
      }
    }
    return pieces.map((d, i) => JSON.stringify({ c, i, n: pieces.length, d } satisfies Envelope))
  }

  #receive(payload: string) {
    let envelope: Envelope
    try {
      envelope = JSON.parse(payload) as Envelope
    } catch {
      return
    }
    if ('m' in envelope) return this.#emitRemote(envelope.m)
    let entry = this.#partial.get(envelope.c)
    if (!entry) {
      entry = { n: envelope.n, got: 0, parts: [] }
      this.#partial.set(envelope.c, entry)
      // Pieces of one event are sent in one statement, so all arrive; this only bounds memory.
      if (this.#partial.size > 1_000) this.#partial.delete(this.#partial.keys().next().value as string)
    }
    if (entry.parts[envelope.i] === undefined) entry.got++
    entry.parts[envelope.i] = envelope.d
    if (entry.got < entry.n) return
    this.#partial.delete(envelope.c)
    try {
      this.#emitRemote(JSON.parse(entry.parts.join('')) as BusMessage)
    } catch {
      this.#log.warn('realtime bus: a split notification could not be put together')
    }
  }

  #emitRemote(message: BusMessage) {
    if (REMOTE_KINDS.has(message.kind)) this.#emit(message)
  }

  #emit(message: BusMessage) {
    for (const listener of this.#listeners) {
      try {
        listener(message)
      } catch (error) {
        this.#log.error({ err: error }, 'realtime bus listener failed')
      }
    }
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

import type { IncomingMessage } from 'node:http'
import { AuthFrame, CLOSE_CODES, ClientFrame, type RealtimeEvent } from '@suportra/client/protocol'
import type { WebSocket } from 'ws'
import { allows } from '../apps/apps.js'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { ApiError } from '../http/errors.js'
import { withAttachments } from '../messages/messages.js'
import { accessOf, toolsOf } from '../sessions/sessions.js'
import type { BusMessage } from './bus.js'

interface Connection {
  ws: WebSocket
  caller: Caller
  /** The tools a builder covers, read at authentication: queue events go to those builders only. */
  tools: ReadonlySet<string>
  /** Set while replaying missed messages; live events wait here so nothing overtakes the replay. */
  pending: { event: RealtimeEvent; data: string }[] | null
  /**
   * The last `seq` the replay sent per session. A live notification for a message the replay
   * already carried (it can arrive after the replay, from another instance) is not sent twice.
   */
  replayed: Map<string, number>
  alive: boolean
}

/** Sockets slower than this many buffered bytes are dropped; they resume on reconnect. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024
const MAX_RESUMED_SESSIONS = 200

/**
 * Owns the realtime sockets of this process: authenticates them (first frame), replays what they
 * missed, delivers bus events to the right users, and drops dead or revoked ones.
 */
export class Hub {
  readonly #ctx: Context
  readonly #byUser = new Map<string, Set<Connection>>()
  readonly #builders = new Set<Connection>()
  readonly #unsubscribe: () => void
  readonly #heartbeat: NodeJS.Timeout
  readonly #sockets = new Set<WebSocket>()

  constructor(ctx: Context) {
    this.#ctx = ctx
    this.#unsubscribe = ctx.bus.subscribe((message) => this.#deliver(message))
    this.#heartbeat = setInterval(() => this.#beat(), ctx.config.heartbeatMs)
    this.#heartbeat.unref()
  }

  /** Number of authenticated sockets. */
  get size(): number {
    let n = 0
    for (const set of this.#byUser.values()) n += set.size
    return n
  }

  /** Takes a freshly upgraded socket; it must authenticate with its first frame. */
  accept(ws: WebSocket, request: IncomingMessage): void {
    this.#sockets.add(ws)
    const timer = setTimeout(
      () => ws.close(CLOSE_CODES.authTimeout, 'auth timeout'),
      this.#ctx.config.authTimeoutMs,
    )
    ws.once('close', () => {
      clearTimeout(timer)
      this.#sockets.delete(ws)
    })
    ws.once('message', async (data) => {
      clearTimeout(timer)
      try {
        await this.#authenticate(ws, request, parseFrame(data))
      } catch (error) {
        this.#refuse(ws, error)
      }
    })
  }

  /** Drops every socket at once, as a network failure would (used by fault tests). */
  dropAll(): number {
    for (const ws of this.#sockets) ws.terminate()
    return this.#sockets.size
  }

  /** Closes every socket (server shutdown): clients reconnect and resume. */
  close(): void {
    clearInterval(this.#heartbeat)
    this.#unsubscribe()
    for (const ws of this.#sockets) ws.close(CLOSE_CODES.goingAway, 'server shutting down')
  }

  async #authenticate(ws: WebSocket, request: IncomingMessage, frame: unknown) {
    const auth = AuthFrame.safeParse(frame)
    if (!auth.success) throw new ApiError('validation', 'The first frame must be { type: "auth", token }')
    const caller = await this.#ctx.tokens.verify(auth.data.token)
    const origin = request.headers.origin
    const app = await this.#ctx.apps.get(caller.appId)
    if (origin && app && !allows(app, origin) && !isSameHost(this.#ctx, origin)) {
      throw new ApiError('forbidden', `Origin ${origin} is not allowed for app ${app.id}`)
    }
    const tools = new Set(caller.role === 'builder' ? await toolsOf(this.#ctx.store, caller.userId) : [])
    if (ws.readyState !== ws.OPEN) return

    const conn: Connection = { ws, caller, tools, pending: [], replayed: new Map(), alive: true }
    this.#add(conn)
    ws.on('close', () => this.#remove(conn))
    ws.on('pong', () => {
      conn.alive = true
    })
    ws.on('message', (data) => this.#onFrame(conn, data))

    conn.replayed = await this.#replay(conn, auth.data.resume ?? {})
    this.#send(conn, {
      type: 'ready',
      userId: caller.userId,
      heartbeatMs: this.#ctx.config.heartbeatMs,
      resumeWindow: this.#ctx.config.resumeWindow,
    })
    const pending = conn.pending ?? []
    conn.pending = null
    for (const { event, data } of pending) if (!alreadyReplayed(conn, event)) this.#write(conn, data)
  }

  /** Sends each session's messages after the client's last `seq`, or `continuity_lost`. */
  async #replay(conn: Connection, resume: Record<string, number>): Promise<Map<string, number>> {
    const replayed = new Map<string, number>()
    const { store, config } = this.#ctx
    for (const [sessionId, lastSeq] of Object.entries(resume).slice(0, MAX_RESUMED_SESSIONS)) {
      const session = await store.db
        .selectFrom('sessions')
        .select(['user_id', 'builder_id', 'status', 'tool', 'last_seq'])
        .where('id', '=', sessionId)
        .executeTakeFirst()
      const access = session && accessOf(session, conn.caller)
      if (!session || (access !== 'owner' && access !== 'builder')) {
        this.#send(conn, { type: 'continuity_lost', sessionId, reason: 'not_found' })
        continue
      }
      if (lastSeq > session.last_seq) {
        this.#send(conn, { type: 'continuity_lost', sessionId, reason: 'ahead_of_server' })
        continue
      }
      const rows = await store.db
        .selectFrom('messages')
        .selectAll()
        .where('session_id', '=', sessionId)
        .where('seq', '>', lastSeq)
        .orderBy('seq', 'asc')
        .limit(config.resumeWindow + 1)
        .execute()
      if (rows.length > config.resumeWindow) {
        this.#send(conn, { type: 'continuity_lost', sessionId, reason: 'resume_window_exceeded' })
        continue
      }
      for (const message of await withAttachments(this.#ctx, rows))
        this.#send(conn, { type: 'message', message })
      replayed.set(sessionId, rows.at(-1)?.seq ?? lastSeq)
    }
    return replayed
  }

  #onFrame(conn: Connection, data: unknown) {
    conn.alive = true
    const frame = ClientFrame.safeParse(parseFrame(data))
    if (frame.success && frame.data.type === 'ping') return this.#send(conn, { type: 'pong' })
    if (!frame.success) {
      this.#send(conn, {
        type: 'error',
        code: 'validation',
        message: 'Unknown frame; expected { type: "ping" }',
      })
    }
  }

  #deliver(message: BusMessage) {
    if (message.kind === 'resync') {
      // The bus may have missed events from other instances: clients reconnect and resume.
      for (const ws of this.#sockets) ws.close(CLOSE_CODES.goingAway, 'resync')
      return
    }
    if (message.kind === 'revoke') {
      for (const conn of this.#byUser.get(message.userId) ?? []) {
        if (message.familyIds.includes(conn.caller.familyId))
          conn.ws.close(CLOSE_CODES.revoked, 'sign-in revoked')
      }
      return
    }
    const data = JSON.stringify(message.event)
    const targets = new Set<Connection>()
    for (const userId of message.users) for (const conn of this.#byUser.get(userId) ?? []) targets.add(conn)
    const tool = message.builders?.tool
    if (tool !== undefined) for (const conn of this.#builders) if (conn.tools.has(tool)) targets.add(conn)
    for (const conn of targets) {
      if (conn.pending) conn.pending.push({ event: message.event, data })
      else if (!alreadyReplayed(conn, message.event)) this.#write(conn, data)
    }
  }

  #send(conn: Connection, event: RealtimeEvent) {
    this.#write(conn, JSON.stringify(event))
  }

  #write(conn: Connection, data: string) {
    if (conn.ws.readyState !== conn.ws.OPEN) return
    if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      conn.ws.terminate()
      return
    }
    conn.ws.send(data)
  }

  #beat() {
    for (const set of this.#byUser.values()) {
      for (const conn of set) {
        if (!conn.alive) {
          conn.ws.terminate()
          continue
        }
        conn.alive = false
        conn.ws.ping()
      }
    }
  }

  #add(conn: Connection) {
    const set = this.#byUser.get(conn.caller.userId) ?? new Set()
    set.add(conn)
    this.#byUser.set(conn.caller.userId, set)
    if (conn.caller.role === 'builder') this.#builders.add(conn)
  }

  #remove(conn: Connection) {
    const set = this.#byUser.get(conn.caller.userId)
    set?.delete(conn)
    if (set?.size === 0) this.#byUser.delete(conn.caller.userId)
    this.#builders.delete(conn)
  }

  #refuse(ws: WebSocket, error: unknown) {
    if (ws.readyState !== ws.OPEN) return
    if (error instanceof ApiError) {
      const revoked = error.details?.reason === 'revoked' || error.code === 'forbidden'
      const code =
        error.code === 'validation'
          ? CLOSE_CODES.protocolError
          : revoked
            ? CLOSE_CODES.revoked
            : CLOSE_CODES.unauthorized
      ws.send(
        JSON.stringify({ type: 'error', code: error.code, message: error.message } satisfies RealtimeEvent),
      )
      ws.close(code, error.code)
      return
    }
    this.#ctx.log.error({ err: error }, 'realtime authentication failed')
    ws.close(1011, 'server error')
  }
}

function alreadyReplayed(conn: Connection, event: RealtimeEvent): boolean {
  if (event.type !== 'message') return false
  return event.message.seq <= (conn.replayed.get(event.message.sessionId) ?? -1)
}

function parseFrame(data: unknown): unknown {
  try {
    return JSON.parse(String(data))
  } catch {
    return undefined
  }
}

/** Whether `origin` is the server's public origin (`publicUrl`); the Host header is not trusted for it. */
function isSameHost(ctx: Context, origin: string): boolean {
  return ctx.config.publicUrl !== undefined && origin === ctx.config.publicUrl
}

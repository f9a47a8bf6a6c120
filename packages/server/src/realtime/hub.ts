import type { IncomingMessage } from 'node:http'
import { AuthFrame, CLOSE_CODES, ClientFrame, type RealtimeEvent } from '@suportra/protocol'
import type { RawData, WebSocket } from 'ws'
import { allows } from '../apps/apps.js'
import { isServerOrigin } from '../apps/origins.js'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { DomainError } from '../errors.js'
import { socketIp } from '../http/request.js'
import { toolsOf } from '../users/users.js'
import type { BusMessage } from './bus.js'
import { frameCheck } from './frame-check.js'
import { FrameMeter, IpCounts } from './limits.js'
import { replay } from './replay.js'

/** An authenticated socket. */
interface Connection {
  ws: WebSocket
  /** Replaced when the client re-authenticates on the open socket (same user, new token). */
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

/** Any socket this process accepted, from its handshake on. */
interface Peer {
  ws: WebSocket
  ip: string
  frames: FrameMeter
  /** `new` until the first frame, `authenticating` while it is checked, then `open`. */
  state: 'new' | 'authenticating' | 'open'
  conn: Connection | undefined
  /** The auth timeout, then the token's expiry (`reauth`), then the end of the grace period. */
  timer: NodeJS.Timeout | undefined
  /** Closed by us for a reason already logged: nothing more is logged or answered. */
  shut: boolean
}

/** Standard close codes the server uses besides the protocol's own (`CLOSE_CODES`). */
const WS_CLOSE = { unsupportedData: 1003, tooBig: 1009, serverError: 1011 } as const

/** Sockets slower than this many buffered bytes are dropped; they resume on reconnect. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024
/** Frames after `ready` are pings and re-auth frames; longer ones are refused unread. */
const MAX_LATER_FRAME_BYTES = 8 * 1024
/** setTimeout's longest delay (about 24.8 days). */
const MAX_DELAY_MS = 2 ** 31 - 1

/**
 * Owns the realtime sockets of this process: authenticates them (first frame), replays what they
 * missed, delivers bus events to the right users, asks them to re-authenticate when their token
 * expires, and drops dead, revoked, abusive and broken ones — a protocol violation closes that
 * socket, never the process.
 */
export class Hub {
  readonly #ctx: Context
  readonly #byUser = new Map<string, Set<Connection>>()
  readonly #builders = new Set<Connection>()
  readonly #unsubscribe: () => void
  readonly #heartbeat: NodeJS.Timeout
  readonly #sockets = new Set<WebSocket>()
  readonly #ips: IpCounts
  /** Development and tests: every frame checked against the protocol before it is sent. */
  readonly #checkFrame: (data: string) => string
  /**
   * Told when a socket authenticates (`opened`) and when an authenticated one closes (`closed`):
   * availability's presence (`availability/presence.ts`) keeps count.
   */
  onSocket: ((change: 'opened' | 'closed', caller: Caller, tools: ReadonlySet<string>) => void) | undefined

  constructor(ctx: Context) {
    this.#ctx = ctx
    this.#ips = new IpCounts(ctx.config)
    this.#checkFrame = frameCheck(ctx) ?? ((data) => data)
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
    const { config, log } = this.#ctx
    const ip = socketIp(request, config.trustProxy)
    const peer: Peer = {
      ws,
      ip,
      frames: new FrameMeter(config.framesPerSecond),
      state: 'new',
      conn: undefined,
      timer: undefined,
      shut: false,
    }
    // First of all: `ws` emits 'error' for every protocol violation (invalid UTF-8, unmasked or
    // oversized frames, reserved bits and opcodes…) and has already closed the socket with the
    // right code (1002, 1007, 1008, 1009). Without a listener that error would end the process.
    ws.on('error', (err: Error & { code?: string }) => {
      if (peer.shut) return
      peer.shut = true
      log.info(
        { ip, userId: peer.conn?.caller.userId, err: err.code, reason: err.message },
        'realtime protocol error',
      )
    })
    const refused = this.#ips.admit(ip)
    if (refused) {
      this.#shut(peer, CLOSE_CODES.rateLimited, refused)
      return
    }

    this.#sockets.add(ws)
    peer.timer = setTimeout(
      () => this.#shut(peer, CLOSE_CODES.authTimeout, 'auth timeout', 'debug'),
      config.authTimeoutMs,
    )
    ws.on('close', () => {
      clearTimeout(peer.timer)
      this.#sockets.delete(ws)
      this.#ips.release(ip, peer.state === 'open')
      if (peer.conn) this.#remove(peer.conn)
    })
    ws.on('message', (data: RawData, isBinary: boolean) => this.#onMessage(peer, request, data, isBinary))
    ws.on('ping', () => this.#count(peer))
    ws.on('pong', () => {
      if (peer.conn) peer.conn.alive = true
      this.#count(peer)
    })
  }

  /** Drops every socket at once, as a network failure would (used by fault tests). */
  dropAll(): number {
    for (const ws of this.#sockets) ws.terminate()
    return this.#sockets.size
  }

  /** Open sockets by role, for the metrics (`unauthenticated` until their first frame is accepted). */
  counts(): Record<'unauthenticated' | 'user' | 'builder', number> {
    const builders = this.#builders.size
    const authenticated = this.size
    return {
      unauthenticated: this.#sockets.size - authenticated,
      user: authenticated - builders,
      builder: builders,
    }
  }

  /**
   * Closes every socket (server shutdown) with 1012, "service restart": clients reconnect at once,
   * without showing an error, and resume from their last `seq` (on another instance if there is one).
   */
  close(): void {
    clearInterval(this.#heartbeat)
    this.#unsubscribe()
    for (const ws of this.#sockets) ws.close(CLOSE_CODES.serviceRestart, 'server restarting')
  }

  /** Counts a frame of any kind; past the rate the socket is closed and false returned. */
  #count(peer: Peer): boolean {
    if (peer.shut || peer.ws.readyState !== peer.ws.OPEN) return false
    if (peer.frames.count()) return true
    this.#shut(peer, CLOSE_CODES.rateLimited, 'too many frames')
    return false
  }

  #onMessage(peer: Peer, request: IncomingMessage, raw: RawData, isBinary: boolean) {
    if (!this.#count(peer)) return
    // Always a Buffer with the default `binaryType`; normalised so nothing below can throw.
    const data = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw)
    if (isBinary) return this.#shut(peer, WS_CLOSE.unsupportedData, 'frames are JSON text')
    if (peer.state === 'new') {
      // Checked before parsing: a long `resume` list or a deeply nested object costs nothing.
      if (data.length > this.#ctx.config.authFrameBytes)
        return this.#shut(peer, WS_CLOSE.tooBig, 'auth frame too large')
      peer.state = 'authenticating'
      clearTimeout(peer.timer)
      this.#authenticate(peer, request, parseFrame(data)).catch((error) => this.#refuse(peer, error))
      return
    }
    // Frames sent before `ready` are not read (a client waits for it).
    if (!peer.conn) return
    peer.conn.alive = true
    const frame = data.length > MAX_LATER_FRAME_BYTES ? undefined : ClientFrame.safeParse(parseFrame(data))
    if (frame?.success && frame.data.type === 'ping') return this.#send(peer.conn, { type: 'pong' })
    if (frame?.success && frame.data.type === 'auth') {
      this.#reauthenticate(peer, frame.data.token).catch((error) => this.#refuse(peer, error))
      return
    }
    this.#send(peer.conn, {
      type: 'error',
      code: 'validation',
      message: 'Unknown frame; expected { type: "ping" } or { type: "auth", token }',
    })
  }

  async #authenticate(peer: Peer, request: IncomingMessage, frame: unknown) {
    const { ws } = peer
    const auth = AuthFrame.safeParse(frame)
    if (!auth.success) throw new DomainError('validation', 'The first frame must be { type: "auth", token }')
    const caller = await this.#ctx.tokens.verify(auth.data.token)
    const origin = request.headers.origin
    const app = await this.#ctx.apps.get(caller.appId)
    if (origin && app && !allows(app, origin) && !isServerOrigin(this.#ctx.config, origin)) {
      throw new DomainError('forbidden', `Origin ${origin} is not allowed for app ${app.id}`)
    }
    const tools = new Set(caller.role === 'builder' ? await toolsOf(this.#ctx.store, caller.userId) : [])
    if (ws.readyState !== ws.OPEN || peer.shut) return
    // Checked after the awaits, so concurrent sign-ins of one user cannot overshoot the cap.
    if ((this.#byUser.get(caller.userId)?.size ?? 0) >= this.#ctx.config.socketsPerUser)
      return this.#shut(peer, CLOSE_CODES.rateLimited, 'too many sockets for this user')

    const conn: Connection = { ws, caller, tools, pending: [], replayed: new Map(), alive: true }
    peer.state = 'open'
    peer.conn = conn
    this.#ips.authenticated(peer.ip)
    this.#add(conn)
    this.#expireAt(peer, caller.expiresAt)

    conn.replayed = await replay(this.#ctx, caller, auth.data.resume ?? {}, (event) =>
      this.#send(conn, event),
    )
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

  /** A new `auth` frame on an open socket: the same user with a fresh token keeps the socket. */
  async #reauthenticate(peer: Peer, token: string) {
    const conn = peer.conn as Connection
    const caller = await this.#ctx.tokens.verify(token)
    if (caller.userId !== conn.caller.userId || caller.appId !== conn.caller.appId)
      throw new DomainError('unauthorized', 'The new token is for another user; open a new socket')
    if (peer.shut || peer.ws.readyState !== peer.ws.OPEN) return
    conn.caller = caller
    this.#expireAt(peer, caller.expiresAt)
  }

  /** When the token expires, asks for a new one; closes the socket if none comes within the grace period. */
  #expireAt(peer: Peer, expiresAt: number) {
    clearTimeout(peer.timer)
    const grace = this.#ctx.config.reauthGraceMs
    peer.timer = setTimeout(
      () => {
        if (peer.conn) this.#send(peer.conn, { type: 'reauth' })
        peer.timer = setTimeout(
          () => this.#shut(peer, CLOSE_CODES.unauthorized, 'token expired', 'debug'),
          grace,
        )
      },
      Math.min(Math.max(0, expiresAt - Date.now()), MAX_DELAY_MS),
    )
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
    if (message.kind === 'presence' || message.kind === 'availability') return
    if (message.kind === 'personal') {
      for (const { userId, event } of message.events) {
        const conns = this.#byUser.get(userId)
        if (!conns) continue
        const data = JSON.stringify(event)
        for (const conn of conns) this.#push(conn, event, data)
      }
      return
    }
    const data = message.data ?? JSON.stringify(message.event)
    const targets = new Set<Connection>()
    for (const userId of message.users) for (const conn of this.#byUser.get(userId) ?? []) targets.add(conn)
    const tool = message.builders?.tool
    if (tool !== undefined) for (const conn of this.#builders) if (conn.tools.has(tool)) targets.add(conn)
    // Encoded once for every socket (a string would be encoded to UTF-8 again for each).
    const frame = targets.size > 1 ? Buffer.from(this.#checkFrame(data)) : data
    for (const conn of targets) this.#push(conn, message.event, data, frame)
  }

  /** Sends an event to every user (not builder) of an app connected to this process. */
  toApp(appId: string, event: RealtimeEvent): void {
    const data = JSON.stringify(event)
    for (const set of this.#byUser.values())
      for (const conn of set)
        if (conn.caller.appId === appId && conn.caller.role !== 'builder') this.#push(conn, event, data)
  }

  /** Sends a live event, or holds it until the socket's replay is done. */
  #push(conn: Connection, event: RealtimeEvent, data: string, frame: string | Buffer = data) {
    if (conn.pending) conn.pending.push({ event, data })
    else if (!alreadyReplayed(conn, event)) this.#write(conn, frame)
  }

  #send(conn: Connection, event: RealtimeEvent) {
    this.#write(conn, JSON.stringify(event))
  }

  /** Writes a frame: a string (checked here), or one already checked and encoded (text, not binary). */
  #write(conn: Connection, data: string | Buffer) {
    if (conn.ws.readyState !== conn.ws.OPEN) return
    if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      conn.ws.terminate()
      return
    }
    if (typeof data === 'string') conn.ws.send(this.#checkFrame(data))
    else conn.ws.send(data, { binary: false })
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
    this.onSocket?.('opened', conn.caller, conn.tools)
  }

  #remove(conn: Connection) {
    const set = this.#byUser.get(conn.caller.userId)
    if (set?.delete(conn)) this.onSocket?.('closed', conn.caller, conn.tools)
    if (set?.size === 0) this.#byUser.delete(conn.caller.userId)
    this.#builders.delete(conn)
  }

  /**
   * Closes a socket with `code` and logs it once: at `info` for what a working client never does
   * (protocol violations, caps), at `debug` for the ordinary (an expired token, a slow sign-in).
   */
  #shut(peer: Peer, code: number, reason: string, level: 'info' | 'debug' = 'info') {
    if (peer.shut) return
    peer.shut = true
    clearTimeout(peer.timer)
    if (code === CLOSE_CODES.rateLimited) this.#ctx.metrics.rateLimited.inc({ route: 'realtime' })
    this.#ctx.log[level](
      { ip: peer.ip, userId: peer.conn?.caller.userId, code, reason },
      'realtime socket closed',
    )
    peer.ws.close(code, reason)
  }

  #refuse(peer: Peer, error: unknown) {
    const { ws } = peer
    if (ws.readyState !== ws.OPEN || peer.shut) return
    if (error instanceof DomainError) {
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
      return this.#shut(peer, code, error.code, code === CLOSE_CODES.protocolError ? 'info' : 'debug')
    }
    this.#ctx.log.error({ err: error }, 'realtime authentication failed')
    this.#shut(peer, WS_CLOSE.serverError, 'server error', 'debug')
  }
}

function alreadyReplayed(conn: Connection, event: RealtimeEvent): boolean {
  if (event.type !== 'message') return false
  return event.message.seq <= (conn.replayed.get(event.message.sessionId) ?? -1)
}

function parseFrame(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString())
  } catch {
    return undefined
  }
}

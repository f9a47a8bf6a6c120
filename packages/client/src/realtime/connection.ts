import { parseRealtimeEvent, type RealtimeEvent } from '@suportra/protocol'
import { SuportraError } from '../core/errors.js'

/** The public connection status. */
export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'offline'

export interface ConnectionChange {
  current: ConnectionStatus
  previous: ConnectionStatus
  error?: SuportraError
  /** Milliseconds until the next attempt, while waiting to reconnect. */
  retryIn?: number
}

/**
 * The subset of the WebSocket API the client uses; browsers' WebSocket and the `ws` package fit.
 * (Handlers take `never` so any implementation's event types are accepted.)
 */
export interface WebSocketLike {
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: never) => void) | null
  onmessage: ((event: never) => void) | null
  onclose: ((event: never) => void) | null
  onerror: ((event: never) => void) | null
}
export type WebSocketFactory = new (url: string) => WebSocketLike

export interface ConnectionDeps {
  url: string
  WebSocket: WebSocketFactory
  /** A valid access token. */
  token(): Promise<string>
  /** A new access token after the server refused `stale`. */
  refresh(stale: string): Promise<string>
  /** The last `seq` held per session, sent so the server can replay what was missed. */
  resume(): Record<string, number>
  onEvent(event: RealtimeEvent): void
  onChange(change: ConnectionChange): void
  /**
   * The server refused `token`, the one the socket signed in with, as revoked, even after a refresh:
   * the connection stopped for good. (A first refusal refreshes instead: another client sharing the
   * storage may have replaced the sign-in, e.g. by a password reset, and the new one is used.)
   */
  onRevoked(token: string): void
  onError(error: SuportraError): void
  random?: () => number
}

/**
 * Private states. `connecting` covers fetching a token, opening the socket and waiting for
 * `ready`; `backoff` waits before the next attempt; `offline` waits for the `online` event.
 */
type State = 'idle' | 'connecting' | 'open' | 'backoff' | 'offline'

/** Delays between attempts; a random 25% is taken off or added so clients do not reconnect in step. */
export const BACKOFF_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000]
/** How long to wait for `ready` after connecting, or for any frame after a ping. */
export const SILENCE_MS = 10_000
const LINGER_MS = 1_000
/**
 * The close codes acted on, from the protocol's CLOSE_CODES (connection.test.ts checks they match):
 * as plain numbers the minifier inlines them, and the table itself stays out of the bundle.
 */
export const GOING_AWAY = 1001
export const UNAUTHORIZED = 4001
export const REVOKED = 4003
export const RATE_LIMITED = 4029

/**
 * One realtime socket per client, as an explicit state machine: it connects while someone needs
 * realtime and a user is signed in, authenticates with its first frame, resumes from the last
 * `seq`, pings to find dead sockets, backs off with jitter, and follows online/offline and page
 * visibility.
 */
export class Connection {
  readonly #deps: ConnectionDeps
  #state: State = 'idle'
  #status: ConnectionStatus = 'idle'
  #ws: WebSocketLike | undefined
  #attempt = 0
  #everOpen = false
  /** The server refused a token since the last `ready`: a second refusal backs off instead of retrying at once. */
  #refused = false
  #users = 0
  #enabled = true
  /** Next attempt (backoff), next ping (open), or release after the last user left. */
  #timer: ReturnType<typeof setTimeout> | undefined
  /** Closes the socket when the server stays silent too long. */
  #silence: ReturnType<typeof setTimeout> | undefined
  #linger: ReturnType<typeof setTimeout> | undefined
  /** Aborted on destroy: removes the window listeners. */
  readonly #listening = new AbortController()

  constructor(deps: ConnectionDeps) {
    this.#deps = deps
    const win = globalThis.window as Window | undefined
    if (win?.addEventListener) {
      const wake = () => this.#wake()
      const options = { signal: this.#listening.signal }
      win.addEventListener('online', wake, options)
      win.addEventListener('offline', () => this.#state !== 'idle' && this.#close('offline'), options)
      win.document.addEventListener(
        'visibilitychange',
        () => win.document.visibilityState === 'visible' && wake(),
        options,
      )
    }
  }

  get status(): ConnectionStatus {
    return this.#status
  }

  /** Declares a need for realtime; the socket stays open while anyone holds one. */
  retain(): () => void {
    this.#users++
    clearTimeout(this.#linger)
    if (this.#state === 'idle') this.#connect()
    let held = true
    return () => {
      if (held && --this.#users === 0) this.#linger = setTimeout(() => this.#close('idle'), LINGER_MS)
      held = false
    }
  }

  /** Allows connecting (signed in) and connects now if anyone needs realtime. */
  start(): void {
    this.#enabled = true
    if (this.#state === 'idle' || this.#state === 'backoff') this.#connect()
  }

  /** Closes the socket and stays closed until `start()` (signed out, revoked). */
  disable(): void {
    this.#enabled = false
    this.#close('idle')
  }

  destroy(): void {
    this.disable()
    clearTimeout(this.#linger)
    this.#listening.abort()
  }

  async #connect() {
    clearTimeout(this.#timer)
    if (!this.#enabled || this.#users === 0) return this.#set('idle')
    if ((globalThis.navigator as Navigator | undefined)?.onLine === false) return this.#set('offline')
    this.#set('connecting')
    let token: string
    let ws: WebSocketLike
    try {
      token = await this.#deps.token()
      if (this.#state !== 'connecting' || this.#ws) return
      // Throws when the page's CSP forbids the URL, or in Node 20 without a WebSocket given.
      ws = new this.#deps.WebSocket(this.#deps.url)
    } catch (error) {
      return this.#failed(error)
    }
    this.#ws = ws
    this.#expectFrame()
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token, resume: this.#deps.resume() }))
    ws.onmessage = ({ data }: { data: unknown }) => ws === this.#ws && this.#receive(data)
    ws.onclose = ({ code }: { code: number }) => ws === this.#ws && this.#closed(code, token)
    ws.onerror = () => {}
  }

  #receive(data: unknown) {
    this.#hush()
    let event: RealtimeEvent | undefined
    try {
      event = parseRealtimeEvent(JSON.parse(String(data)))
    } catch {}
    if (!event) return this.#deps.onError(new SuportraError('protocol', 'Unexpected realtime frame'))
    if (event.type === 'ready') {
      this.#attempt = 0
      this.#refused = false
      this.#everOpen = true
      this.#set('open')
      const interval = event.heartbeatMs
      const beat = () => {
        this.#ping()
        this.#timer = setTimeout(beat, interval)
      }
      this.#timer = setTimeout(beat, interval)
    }
    // The token this socket signed in with expired: send a fresh one on the open socket. If none
    // comes (offline, refused), the server closes the socket with 4001 and #closed takes over.
    if (event.type === 'reauth')
      this.#deps.token().then(
        (token) => this.#state === 'open' && this.#ws?.send(JSON.stringify({ type: 'auth', token })),
        () => {},
      )
    this.#deps.onEvent(event)
  }

  /** Sends a ping; silence afterwards means the socket is dead. */
  #ping() {
    if (this.#state !== 'open' || this.#silence) return
    this.#ws?.send(JSON.stringify({ type: 'ping' }))
    this.#expectFrame()
  }

  /** No frame within SILENCE_MS (no `ready`, no pong): the socket is dead; do not wait for its close. */
  #expectFrame() {
    this.#silence = setTimeout(() => {
      const ws = this.#ws
      this.#ws = undefined
      ws?.close(4000)
      clearTimeout(this.#timer)
      this.#silence = undefined
      this.#backoff(new SuportraError('network', 'Realtime connection timed out'))
    }, SILENCE_MS)
  }

  #hush() {
    clearTimeout(this.#silence)
    this.#silence = undefined
  }

  #closed(code: number, token: string) {
    this.#ws = undefined
    clearTimeout(this.#timer)
    this.#hush()
    // Too many sockets or frames: no tight loop; every retry waits BACKOFF_MS's longest step (any
    // attempt past the end of the table does) until a connection succeeds.
    if (code === RATE_LIMITED) this.#attempt = 99
    if ((code !== UNAUTHORIZED && code !== REVOKED) || this.#refused) {
      if (code === REVOKED) {
        this.disable()
        return this.#deps.onRevoked(token)
      }
      return this.#backoff(
        code === GOING_AWAY ? undefined : new SuportraError('network', `Realtime closed (${code})`),
      )
    }
    // The access token expired (while connecting, or on an open socket that did not answer
    // `reauth` in time), or its sign-in was revoked (the stored one may be newer; if not, the
    // refresh is refused and signs out): refresh it and try again at once.
    this.#refused = true
    this.#set('connecting')
    this.#deps.refresh(token).then(
      () => {
        if (this.#state === 'connecting') this.#connect()
      },
      (error) => this.#failed(error),
    )
  }

  #failed(error: unknown) {
    if (SuportraError.isInstance(error) && error.code === 'unauthorized') return this.disable()
    this.#backoff(
      SuportraError.isInstance(error) ? error : new SuportraError('network', undefined, { cause: error }),
    )
  }

  #backoff(error?: SuportraError) {
    if (this.#state !== 'connecting' && this.#state !== 'open') return
    const base = BACKOFF_MS[Math.min(this.#attempt++, BACKOFF_MS.length - 1)] ?? 15_000
    const retryIn = Math.round(base * (0.75 + (this.#deps.random ?? Math.random)() * 0.5))
    this.#set('backoff', error, retryIn)
    this.#timer = setTimeout(() => this.#connect(), retryIn)
  }

  /** Back online or visible again: retry at once instead of waiting out the backoff, or check the socket. */
  #wake() {
    if (this.#state === 'open') return this.#ping()
    if (this.#state === 'offline' || this.#state === 'backoff') {
      this.#attempt = 0
      this.#connect()
    }
  }

  #close(state: 'idle' | 'offline') {
    clearTimeout(this.#timer)
    this.#hush()
    const ws = this.#ws
    this.#ws = undefined
    ws?.close(1000, state)
    if (state === 'idle') this.#attempt = 0
    this.#set(state)
  }

  #set(state: State, error?: SuportraError, retryIn?: number) {
    this.#state = state
    const current: ConnectionStatus =
      state === 'backoff' || state === 'connecting' ? (this.#everOpen ? 'reconnecting' : 'connecting') : state
    const previous = this.#status
    this.#status = current
    if (current !== previous || retryIn !== undefined) {
      this.#deps.onChange({
        current,
        previous,
        ...(error && { error }),
        ...(retryIn !== undefined && { retryIn }),
      })
    }
  }
}

import { parseRealtimeEvent, type RealtimeEvent } from '@suportra/protocol'
import { SuportraError } from '../core/errors.js'
import { retryDelay } from '../core/retry.js'
import { type Event, type State, TRANSITIONS } from './transitions.js'

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

/** Waits between attempts: 250 ms, then doubling, up to 15 s, give or take a quarter (see retryDelay). */
const FIRST_RETRY_MS = 250
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
 * One realtime socket per client, as an explicit state machine (transitions.ts): it connects while
 * someone needs realtime and a user is signed in, authenticates with its first frame, resumes from
 * the last `seq`, pings to find dead sockets, backs off with jitter, and follows online/offline and
 * page visibility. (A closure rather than a class: `this.#` on every field costs the bundle bytes.)
 */
export function createConnection(deps: ConnectionDeps) {
  let state: State = 'idle'
  let status: ConnectionStatus = 'idle'
  let socket: WebSocketLike | undefined
  let attempt = 0
  let everOpen = false
  /** The server refused a token since the last `ready`: a second refusal backs off instead of retrying at once. */
  let refused = false
  let users = 0
  let enabled = true
  /** The state's timer: the next attempt (backoff) or the next ping (open). */
  let timer: ReturnType<typeof setTimeout> | undefined
  /** Closes the socket when the server stays silent too long (connecting, open). */
  let silence: ReturnType<typeof setTimeout> | undefined
  /** Stops a second after the last user left. */
  let linger: ReturnType<typeof setTimeout> | undefined
  /** Aborted on destroy: removes the window listeners. */
  const listening = new AbortController()

  /**
   * Feeds `event` to the state machine, the one place the state changes; false when the current
   * state ignores it. Leaving a state ends its timers; entering one does its work.
   */
  const fire = (event: Event, error?: SuportraError): boolean => {
    const from = state
    const to = (TRANSITIONS[from] as { [E in Event]?: State })[event]
    if (!to) return false
    const starts = to === 'connecting' && event !== 'refused'
    // An attempt needs someone to serve while signed in, and a network.
    if (starts && (!enabled || !users)) return fire('stop')
    if (starts && (globalThis.navigator as Navigator | undefined)?.onLine === false)
      return fire('unreachable')
    if (to !== from) {
      clearTimeout(timer)
      hush()
    }
    // Back online or visible again: retry at once, from the shortest wait.
    if (event === 'wake' || to === 'idle') attempt = 0
    let retryIn: number | undefined
    if (to === 'backoff') {
      retryIn = retryDelay(attempt++, FIRST_RETRY_MS, deps.random)
      timer = setTimeout(() => fire('retry'), retryIn)
    }
    if (to === 'idle' || to === 'offline') {
      const ws = socket
      socket = undefined
      ws?.close(1000, to)
    }
    state = to
    const current: ConnectionStatus =
      to === 'backoff' || to === 'connecting' ? (everOpen ? 'reconnecting' : 'connecting') : to
    const previous = status
    status = current
    if (current !== previous || retryIn !== undefined) {
      deps.onChange({
        current,
        previous,
        ...(error && { error }),
        ...(retryIn !== undefined && { retryIn }),
      })
    }
    if (starts) connect()
    return true
  }

  const connect = async () => {
    let token: string
    let ws: WebSocketLike
    try {
      token = await deps.token()
      if (state !== 'connecting' || socket) return
      // Throws when the page's CSP forbids the URL, or in Node 20 without a WebSocket given.
      ws = new deps.WebSocket(deps.url)
    } catch (error) {
      return failed(error)
    }
    socket = ws
    expectFrame()
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token, resume: deps.resume() }))
    ws.onmessage = ({ data }: { data: unknown }) => ws === socket && receive(data)
    ws.onclose = ({ code }: { code: number }) => ws === socket && closed(code, token)
    ws.onerror = () => {}
  }

  const receive = (data: unknown) => {
    hush()
    let event: RealtimeEvent | undefined
    try {
      event = parseRealtimeEvent(JSON.parse(String(data)))
    } catch {}
    if (!event) return deps.onError(new SuportraError('protocol', 'Unexpected realtime frame'))
    if (event.type === 'ready') {
      attempt = 0
      refused = false
      everOpen = true
      if (fire('ready')) {
        const interval = event.heartbeatMs
        const beat = () => {
          ping()
          timer = setTimeout(beat, interval)
        }
        timer = setTimeout(beat, interval)
      }
    }
    // The token this socket signed in with expired: send a fresh one on the open socket. If none
    // comes (offline, refused), the server closes the socket with 4001 and closed() takes over.
    if (event.type === 'reauth')
      deps.token().then(
        (token) => state === 'open' && socket?.send(JSON.stringify({ type: 'auth', token })),
        () => {},
      )
    deps.onEvent(event)
  }

  /** Sends a ping; silence afterwards means the socket is dead. */
  const ping = () => {
    if (state !== 'open' || silence) return
    socket?.send(JSON.stringify({ type: 'ping' }))
    expectFrame()
  }

  /** No frame within SILENCE_MS (no `ready`, no pong): the socket is dead; do not wait for its close. */
  const expectFrame = () => {
    silence = setTimeout(() => {
      const ws = socket
      socket = undefined
      ws?.close(4000)
      silence = undefined
      fire('failed', new SuportraError('network', 'Realtime connection timed out'))
    }, SILENCE_MS)
  }

  const hush = () => {
    clearTimeout(silence)
    silence = undefined
  }

  const closed = (code: number, token: string) => {
    socket = undefined
    hush()
    // Too many sockets or frames: no tight loop; every retry waits the policy's longest step (any
    // attempt this far does) until a connection succeeds.
    if (code === RATE_LIMITED) attempt = 99
    if ((code !== UNAUTHORIZED && code !== REVOKED) || refused) {
      if (code === REVOKED) {
        disable()
        return deps.onRevoked(token)
      }
      // Going away (1001) and service restart (1012, a graceful shutdown) reconnect with no error:
      // the only multiples of 11 among the codes a socket can close with (1000–1015 and the
      // protocol's 4000–4029; connection.test.ts checks every one), fewer bytes than two comparisons.
      return fire(
        'failed',
        code % 11 === 0 ? undefined : new SuportraError('network', `Realtime closed (${code})`),
      )
    }
    // The access token expired (while connecting, or on an open socket that did not answer
    // `reauth` in time), or its sign-in was revoked (the stored one may be newer; if not, the
    // refresh is refused and signs out): refresh it and try again at once.
    refused = true
    fire('refused')
    deps.refresh(token).then(
      () => fire('refreshed'),
      (error) => failed(error),
    )
  }

  const failed = (error: unknown) => {
    if (SuportraError.isInstance(error) && error.code === 'unauthorized') return disable()
    fire(
      'failed',
      SuportraError.isInstance(error) ? error : new SuportraError('network', undefined, { cause: error }),
    )
  }

  /** Closes the socket and stays closed until `start()` (signed out, revoked). */
  const disable = (): void => {
    enabled = false
    fire('stop')
  }

  const win = globalThis.window as Window | undefined
  if (win?.addEventListener) {
    const wake = () => fire('wake') && state === 'open' && ping()
    const options = { signal: listening.signal }
    win.addEventListener('online', wake, options)
    win.addEventListener('offline', () => fire('offline'), options)
    win.document.addEventListener(
      'visibilitychange',
      () => win.document.visibilityState === 'visible' && wake(),
      options,
    )
  }

  return {
    get status(): ConnectionStatus {
      return status
    },

    /** Declares a need for realtime; the socket stays open while anyone holds one. */
    retain(): () => void {
      users++
      clearTimeout(linger)
      fire('retain')
      let held = true
      return () => {
        if (held && --users === 0) linger = setTimeout(() => fire('stop'), LINGER_MS)
        held = false
      }
    },

    /** Allows connecting (signed in) and connects now if anyone needs realtime. */
    start(): void {
      enabled = true
      fire('start')
    },

    disable,

    destroy(): void {
      disable()
      clearTimeout(linger)
      listening.abort()
    },
  } as const
}

export type Connection = ReturnType<typeof createConnection>

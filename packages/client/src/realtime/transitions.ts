/**
 * The connection's private states. `connecting` covers fetching a token, opening the socket,
 * waiting for `ready` and refreshing a refused token; `backoff` waits before the next attempt;
 * `offline` waits for the network.
 */
export type State = 'idle' | 'connecting' | 'open' | 'backoff' | 'offline'

/** What can happen to the connection. */
export type Event =
  /** Someone needs realtime (`retain()`). */
  | 'retain'
  /** Signed in: connecting is allowed (`start()`). */
  | 'start'
  /** Back online, or the page is visible again. */
  | 'wake'
  /** The wait before the next attempt is over. */
  | 'retry'
  /** The server accepted the socket (`ready`). */
  | 'ready'
  /** The server refused the socket's token (4001, or 4003 the first time): refresh it. */
  | 'refused'
  /** The refused token was refreshed. */
  | 'refreshed'
  /** The socket closed or went silent, or no token or socket could be had. */
  | 'failed'
  /** The network went away. */
  | 'offline'
  /** An attempt found no network to begin with. */
  | 'unreachable'
  /** Nobody needs realtime any more, or signed out, or the sign-in was revoked. */
  | 'stop'

/**
 * What each state ignores. Written as a type, so it costs no bytes: the table below must answer every
 * other event and may not answer these, so each pair is decided exactly once and none falls through.
 */
export type Ignored = {
  idle: 'wake' | 'retry' | 'ready' | 'refused' | 'refreshed' | 'failed' | 'offline'
  connecting: 'retain' | 'start' | 'wake' | 'retry'
  open: 'retain' | 'start' | 'retry' | 'ready' | 'refreshed' | 'unreachable'
  backoff: 'retain' | 'ready' | 'refused' | 'refreshed' | 'failed'
  offline: 'retain' | 'start' | 'retry' | 'ready' | 'refused' | 'refreshed' | 'failed' | 'offline'
}

type Table = {
  readonly [S in State]: { readonly [E in Exclude<Event, Ignored[S]>]: State } & {
    readonly [E in Ignored[S]]?: never
  }
}

/**
 * Every state's answer to the events it does not ignore: the next state. Entering `connecting`
 * (except on `refused`) starts an attempt, which goes `idle` instead with nobody to serve and
 * `offline` with no network.
 */
export const TRANSITIONS: Table = {
  idle: { retain: 'connecting', start: 'connecting', unreachable: 'offline', stop: 'idle' },
  connecting: {
    ready: 'open',
    refused: 'connecting',
    refreshed: 'connecting',
    failed: 'backoff',
    offline: 'offline',
    unreachable: 'offline',
    stop: 'idle',
  },
  // `wake` checks the socket with a ping.
  open: { wake: 'open', refused: 'connecting', failed: 'backoff', offline: 'offline', stop: 'idle' },
  backoff: {
    start: 'connecting',
    wake: 'connecting',
    retry: 'connecting',
    offline: 'offline',
    unreachable: 'offline',
    stop: 'idle',
  },
  offline: { wake: 'connecting', unreachable: 'offline', stop: 'idle' },
}

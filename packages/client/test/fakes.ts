/** Fakes for unit tests (no server). */
import { vi } from 'vitest'
import type { WebSocketLike } from '../src/realtime/connection.js'

/**
 * A socket the test drives. `close()` (called by the client) only records the code: the close
 * event arrives when the test calls `closed(code)`, as it does for a real socket after the closing
 * handshake (or never, for a dead one).
 */
export class FakeWebSocket implements WebSocketLike {
  onopen: ((event: unknown) => void) | null = null
  onmessage: ((event: { data: unknown }) => void) | null = null
  onclose: ((event: { code: number }) => void) | null = null
  onerror: ((event: unknown) => void) | null = null
  /** Frames the client sent, parsed. */
  readonly sent: unknown[] = []
  /** The code the client closed with. */
  closedWith: number | undefined
  /** The close event was delivered. */
  gone = false

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data))
  }
  close(code = 1000): void {
    this.closedWith ??= code
  }
  /** The server accepted the connection. */
  open(): void {
    this.onopen?.({})
  }
  /** The server sent `frame` (an object is sent as JSON, a string as is). */
  message(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) })
  }
  /** The socket closed with `code` (server close, network drop, or a finished handshake). */
  closed(code: number): void {
    this.gone = true
    this.onclose?.({ code })
  }
  pings(): number {
    return this.sent.filter((frame) => (frame as { type?: string }).type === 'ping').length
  }
}

/**
 * A browser page for code that follows `online`/`offline` and visibility: stubs `window` (with a
 * `document`) and `navigator`. Undo with `vi.unstubAllGlobals()`.
 */
export function fakePage() {
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' })
  const window = Object.assign(new EventTarget(), { document })
  const navigator = { onLine: true }
  vi.stubGlobal('window', window)
  vi.stubGlobal('navigator', navigator)
  return {
    navigator,
    goOffline() {
      navigator.onLine = false
      window.dispatchEvent(new Event('offline'))
    },
    goOnline() {
      navigator.onLine = true
      window.dispatchEvent(new Event('online'))
    },
    show(state: 'visible' | 'hidden' = 'visible') {
      document.visibilityState = state
      document.dispatchEvent(new Event('visibilitychange'))
    },
  }
}

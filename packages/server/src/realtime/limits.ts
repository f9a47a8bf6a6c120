import type { Config } from '../config.js'

interface Count {
  open: number
  unauthenticated: number
}

/** Open sockets, and sockets that have not authenticated yet, per client IP, held to the configured caps. */
export class IpCounts {
  readonly #config: Pick<Config, 'socketsPerIp' | 'unauthenticatedSocketsPerIp'>
  readonly #counts = new Map<string, Count>()

  constructor(config: Pick<Config, 'socketsPerIp' | 'unauthenticatedSocketsPerIp'>) {
    this.#config = config
  }

  /** Counts a new (unauthenticated) socket from `ip`, or says why it is refused (and counts nothing). */
  admit(ip: string): string | undefined {
    const count = this.#counts.get(ip) ?? { open: 0, unauthenticated: 0 }
    if (count.open >= this.#config.socketsPerIp) return 'too many sockets from this address'
    if (count.unauthenticated >= this.#config.unauthenticatedSocketsPerIp)
      return 'too many sockets from this address waiting to authenticate'
    count.open++
    count.unauthenticated++
    this.#counts.set(ip, count)
    return undefined
  }

  /** A socket from `ip` authenticated: it no longer counts as waiting. */
  authenticated(ip: string): void {
    const count = this.#counts.get(ip)
    if (count) count.unauthenticated--
  }

  /** A socket `admit` counted has closed. */
  release(ip: string, authenticated: boolean): void {
    const count = this.#counts.get(ip)
    if (!count) return
    count.open--
    if (!authenticated) count.unauthenticated--
    if (count.open <= 0) this.#counts.delete(ip)
  }
}

/** Counts one socket's frames in one-second windows. */
export class FrameMeter {
  readonly #limit: number
  #windowStart = 0
  #frames = 0

  constructor(framesPerSecond: number) {
    this.#limit = framesPerSecond
  }

  /** Counts a frame; false when it is one more than the socket may send this second. */
  count(now: number = Date.now()): boolean {
    if (now - this.#windowStart >= 1_000) {
      this.#windowStart = now
      this.#frames = 0
    }
    return ++this.#frames <= this.#limit
  }
}

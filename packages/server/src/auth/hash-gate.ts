import type { Context } from '../context.js'
import { ApiError } from '../http/errors.js'

/** Requests waiting for a hashing slot at most, whatever `waitMs`: beyond, refused at once. */
const MAX_WAITING = 64

interface Waiter {
  ip: string
  admit: () => void
  timer: NodeJS.Timeout
}

/**
 * Caps the password hashes running at once, in the whole process and per client IP. scrypt is slow
 * and memory-hard on purpose (128 MiB per hash at the default cost); without a cap a flood of
 * sign-ins queues behind Node's four worker threads, and a real sign-in waits behind all of it.
 *
 * Only the hash itself holds a slot (`run` wraps `verifyPassword` / `hashPassword`, nothing else).
 * When every slot is taken, a request waits for one at most `waitMs` (first come, first served),
 * so a few real people arriving together are not refused while one hash finishes; past that wait,
 * or with `MAX_WAITING` already waiting, it is refused (`rate_limited`, retry in 1 s). An address
 * with `concurrentPerIp` hashes running or waiting is refused at once: one address cannot queue.
 */
export class HashGate {
  readonly #limits: Context['config']['passwordHashing']
  /** Hashes running or waiting, per client IP. */
  readonly #byIp = new Map<string, number>()
  readonly #waiting: Waiter[] = []
  #running = 0

  constructor(limits: Context['config']['passwordHashing']) {
    this.#limits = limits
  }

  /** Runs `fn` (one password hash) in a slot for `ip`, after waiting for one if need be; or throws `rate_limited`. */
  async run<T>(ip: string, fn: () => Promise<T>): Promise<T> {
    await this.#enter(ip)
    try {
      return await fn()
    } finally {
      this.#leave(ip)
    }
  }

  /**
   * Throws `rate_limited` now if `ip` already has all the hashes it may have running or waiting: a
   * request that would be refused anyway is refused before any other work (database, counters).
   * Holds nothing; `run` checks again.
   */
  checkAddress(ip: string): void {
    if ((this.#byIp.get(ip) ?? 0) >= this.#limits.concurrentPerIp) throw busy('sign-ins from this address')
  }

  async #enter(ip: string): Promise<void> {
    this.checkAddress(ip)
    const mine = this.#byIp.get(ip) ?? 0
    const free = this.#running < this.#limits.concurrent && this.#waiting.length === 0
    if (!free && (this.#limits.waitMs <= 0 || this.#waiting.length >= MAX_WAITING))
      throw busy('sign-ins on this server')
    this.#byIp.set(ip, mine + 1)
    if (free) {
      this.#running++
      return
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        ip,
        admit: resolve,
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1)
          this.#release(ip)
          reject(busy('sign-ins on this server'))
        }, this.#limits.waitMs),
      }
      this.#waiting.push(waiter)
    })
  }

  #leave(ip: string): void {
    this.#release(ip)
    const next = this.#waiting.shift()
    if (!next) {
      this.#running--
      return
    }
    // The slot passes straight to the first waiter: nobody arriving meanwhile can take it.
    clearTimeout(next.timer)
    next.admit()
  }

  #release(ip: string): void {
    const now = (this.#byIp.get(ip) ?? 1) - 1
    if (now <= 0) this.#byIp.delete(ip)
    else this.#byIp.set(ip, now)
  }
}

function busy(who: string): ApiError {
  return new ApiError('rate_limited', `Too many ${who} at once; try again in 1 s`, {
    details: { retryAfter: 1 },
  })
}

const gates = new WeakMap<Context, HashGate>()

/** The gate of this server (one per context, made on first use). */
export function hashGate(ctx: Context): HashGate {
  let gate = gates.get(ctx)
  if (!gate) {
    gate = new HashGate(ctx.config.passwordHashing)
    gates.set(ctx, gate)
  }
  return gate
}

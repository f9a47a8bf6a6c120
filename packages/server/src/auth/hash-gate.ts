import type { Context } from '../context.js'
import { DomainError } from '../errors.js'

/** Requests waiting for a hashing slot at most, whatever `waitMs`: beyond, refused at once. */
const MAX_WAITING = 64

interface Waiter {
  admit: () => void
  timer: NodeJS.Timeout
}

/**
 * Caps the password hashes running at once in the whole process, and the password checks per client
 * IP. scrypt is slow and memory-hard on purpose (128 MiB per hash at the default cost); without a
 * cap a flood of sign-ins queues behind Node's four worker threads, and a real sign-in waits behind
 * all of it.
 *
 * - Per address (`admit`): a check holds its address's place from its first counter to the end of
 *   its hash; an address with `concurrentPerIp` checks under way is refused at once, before it has
 *   spent anything, so one address can neither queue nor run up its failure counters in parallel.
 * - Per process (`hash`): only the hash itself holds one of the `concurrent` slots. With every slot
 *   taken a hash waits for one at most `waitMs` (first come, first served; the slot passes straight
 *   to the oldest waiter), so a few real people arriving while one hash finishes are not refused;
 *   past that wait, or with `MAX_WAITING` already waiting, it is refused.
 *
 * A refusal is `rate_limited`, retry in 1 s.
 */
export class HashGate {
  readonly #limits: Context['config']['passwordHashing']
  /** Checks under way per client IP. */
  readonly #byIp = new Map<string, number>()
  readonly #waiting: Waiter[] = []
  #running = 0

  constructor(limits: Context['config']['passwordHashing']) {
    this.#limits = limits
  }

  /** Admits one password check from `ip`, or throws `rate_limited` at once; call the returned function when it is over. */
  admit(ip: string): () => void {
    const mine = this.#byIp.get(ip) ?? 0
    if (mine >= this.#limits.concurrentPerIp) throw busy('sign-ins from this address')
    this.#byIp.set(ip, mine + 1)
    let left = false
    return () => {
      if (left) return
      left = true
      const now = (this.#byIp.get(ip) ?? 1) - 1
      if (now <= 0) this.#byIp.delete(ip)
      else this.#byIp.set(ip, now)
    }
  }

  /** Runs `fn` (one password hash) in one of the process's slots, after waiting for one if need be; or throws `rate_limited`. */
  async hash<T>(fn: () => Promise<T>): Promise<T> {
    await this.#slot()
    try {
      return await fn()
    } finally {
      this.#free()
    }
  }

  /** `admit` and `hash` together: a hash for `ip` (a new password at sign-up or reset). */
  async run<T>(ip: string, fn: () => Promise<T>): Promise<T> {
    const leave = this.admit(ip)
    try {
      return await this.hash(fn)
    } finally {
      leave()
    }
  }

  async #slot(): Promise<void> {
    if (this.#running < this.#limits.concurrent && this.#waiting.length === 0) {
      this.#running++
      return
    }
    if (this.#limits.waitMs <= 0 || this.#waiting.length >= MAX_WAITING) throw busy('sign-ins on this server')
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1)
          reject(busy('sign-ins on this server'))
        }, this.#limits.waitMs),
      }
      this.#waiting.push(waiter)
    })
  }

  #free(): void {
    const next = this.#waiting.shift()
    if (!next) {
      this.#running--
      return
    }
    // The slot passes straight to the oldest waiter: nobody arriving meanwhile can take it.
    clearTimeout(next.timer)
    next.admit()
  }
}

function busy(who: string): DomainError {
  return new DomainError('rate_limited', `Too many ${who} at once; try again in 1 s`, {
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

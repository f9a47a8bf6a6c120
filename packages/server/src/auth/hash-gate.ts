import type { Context } from '../context.js'
import { ApiError } from '../http/errors.js'

/**
 * Caps the password hashes running at once, in the whole process and per client IP. scrypt is slow
 * and memory-hard on purpose (128 MiB per hash at the default cost); without a cap a flood of
 * sign-ins queues behind Node's four worker threads, and a real sign-in waits behind all of it.
 * A request over either cap is refused at once (`rate_limited`, retry in 1 s), never queued.
 */
export class HashGate {
  readonly #limits: Context['config']['passwordHashing']
  readonly #byIp = new Map<string, number>()
  #running = 0

  constructor(limits: Context['config']['passwordHashing']) {
    this.#limits = limits
  }

  /** Takes a slot for `ip` (or throws `rate_limited`); call the returned function once the hash is done. */
  enter(ip: string): () => void {
    const mine = this.#byIp.get(ip) ?? 0
    if (this.#running >= this.#limits.concurrent || mine >= this.#limits.concurrentPerIp) {
      const who =
        this.#running >= this.#limits.concurrent ? 'sign-ins on this server' : 'sign-ins from this address'
      throw new ApiError('rate_limited', `Too many ${who} at once; try again in 1 s`, {
        details: { retryAfter: 1 },
      })
    }
    this.#running++
    this.#byIp.set(ip, mine + 1)
    let left = false
    return () => {
      if (left) return
      left = true
      this.#running--
      const now = (this.#byIp.get(ip) ?? 1) - 1
      if (now <= 0) this.#byIp.delete(ip)
      else this.#byIp.set(ip, now)
    }
  }

  /** Runs `fn` (password hashing) in a slot for `ip`. */
  async run<T>(ip: string, fn: () => Promise<T>): Promise<T> {
    const leave = this.enter(ip)
    try {
      return await fn()
    } finally {
      leave()
    }
  }
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

import type { Caller } from '../caller.js'

export type Verified = Readonly<Caller & { expiresAt: number }>

/** Access tokens remembered; the least recently used go first beyond this. */
const MAX_ENTRIES = 10_000

/**
 * Access tokens already verified (signature, claims, sign-in not revoked), by token string, until
 * they expire: a request with a token seen before costs a map lookup instead of an HMAC and a
 * query (a fifth of the send path's CPU before). Bounded, least recently used dropped first.
 *
 * (`hear` takes the realtime bus's messages, typed by shape: `realtime/` imports `auth/`, not back.)
 * A revocation forgets the tokens of the revoked sign-ins at once: every revocation is published
 * on the bus (`revoke`, which reaches every instance), and `resync` (the bus may have missed some)
 * forgets everything. A verification that raced a revocation is not remembered (`generation`).
 */
export class TokenCache {
  readonly #entries = new Map<string, Verified>()
  #generation = 0

  constructor(readonly max = MAX_ENTRIES) {}

  /** The caller a token proved, if it was verified before and has not expired since. */
  get(token: string, now = Date.now()): Verified | undefined {
    const entry = this.#entries.get(token)
    if (!entry) return undefined
    this.#entries.delete(token)
    if (entry.expiresAt <= now) return undefined
    this.#entries.set(token, entry)
    return entry
  }

  /** Taken before a verification reads the database; `set` ignores it if a revocation came since. */
  get generation(): number {
    return this.#generation
  }

  set(token: string, caller: Verified, generation: number): void {
    if (generation !== this.#generation) return
    this.#entries.set(token, caller)
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value as string)
  }

  /** Forgets what a bus message revokes (subscribe this to the bus). */
  hear(message: { kind: string; familyIds?: string[] }): void {
    if (message.kind === 'resync') {
      this.#generation++
      this.#entries.clear()
    } else if (message.kind === 'revoke') {
      this.#generation++
      const families = new Set(message.familyIds ?? [])
      for (const [token, caller] of this.#entries)
        if (families.has(caller.familyId)) this.#entries.delete(token)
    }
  }

  get size(): number {
    return this.#entries.size
  }
}

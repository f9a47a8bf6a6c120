import type { AuthResponse, User } from '@suportra/protocol'
import { SuportraError } from '../core/errors.js'
import { type StorageLike, storedValue } from '../core/storage.js'
import { sleep } from '../http/http.js'

/** What a sign-in leaves in storage. Nothing is written before a sign-in. */
export interface StoredAuth {
  accessToken: string
  refreshToken: string
  /** Epoch ms when the access token expires. */
  expiresAt: number
  user: User
}

/** Refresh this long before the access token expires, so requests never carry a stale one. */
const EARLY_MS = 30_000

/** How long a tab waits, holding the lock, for other tabs' storage writes to reach it. */
const LOCK_SETTLE_MS = 50

const processLocks = new WeakMap<object, Promise<unknown>>()

/**
 * Runs `fn` under a lock shared by every client using the same storage: the Web Locks API where
 * the runtime has it (several tabs), otherwise a lock per storage object (several clients in one
 * process). Concurrent refreshes therefore happen once, not once per client.
 */
function withLock<T>(name: string, storage: StorageLike, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  // Another tab's storage write reaches this tab a moment after that tab let the lock go: wait that
  // moment before reading, or a refresh it has just made looks undone and is made again.
  if (locks) return locks.request(name, () => sleep(LOCK_SETTLE_MS).then(fn)) as Promise<T>
  const run = (processLocks.get(storage) ?? Promise.resolve()).then(fn, fn)
  processLocks.set(
    storage,
    run.catch(() => {}),
  )
  return run
}

export class Tokens {
  readonly #stored: ReturnType<typeof storedValue<StoredAuth>>
  readonly #storage: StorageLike
  readonly #lockName: string
  readonly #exchange: (refreshToken: string) => Promise<AuthResponse>
  readonly #onChange: (auth: StoredAuth | undefined) => void
  #inflight: Promise<string> | undefined

  constructor(
    storage: StorageLike,
    prefix: string,
    exchange: (refreshToken: string) => Promise<AuthResponse>,
    onChange: (auth: StoredAuth | undefined) => void,
  ) {
    this.#storage = storage
    this.#stored = storedValue<StoredAuth>(storage, `${prefix}auth`)
    this.#lockName = `${prefix}refresh`
    this.#exchange = exchange
    this.#onChange = onChange
  }

  get(): StoredAuth | undefined {
    return this.#stored.get()
  }

  /**
   * Stores the sign-in `request` answers, made under the refresh lock: a refresh of the sign-in held
   * before cannot land after it and bring the old one back, and a socket or request refused meanwhile
   * for the old one (a password reset revokes it) waits, then finds the new one instead of ending it.
   */
  signIn(request: () => Promise<AuthResponse>): Promise<StoredAuth> {
    return withLock(this.#lockName, this.#storage, async () => this.#save(await request()))
  }

  #save({ expiresIn, ...auth }: AuthResponse): StoredAuth {
    return this.#put({ ...auth, expiresAt: Date.now() + expiresIn * 1000 })
  }

  /** The same sign-in with the user's new details (after an account change). */
  update(user: User): void {
    const auth = this.get()
    if (auth) this.#put({ ...auth, user })
  }

  clear(): void {
    this.#put(undefined)
  }

  #put<T extends StoredAuth | undefined>(auth: T): T {
    this.#stored.set(auth)
    this.#onChange(auth)
    return auth
  }

  /** A usable access token, refreshed first when it is about to expire. */
  async access(): Promise<string> {
    const auth = this.get()
    if (!auth) throw new SuportraError('unauthorized', 'Not signed in')
    return auth.expiresAt - EARLY_MS > Date.now() ? auth.accessToken : this.refresh(auth.accessToken)
  }

  /**
   * Replaces `stale` with a fresh access token. If another client sharing the storage rotated the
   * sign-in meanwhile (its refresh token changed), its token is used and no request is made.
   */
  refresh(stale: string): Promise<string> {
    const seen = this.get()
    this.#inflight ??= withLock(this.#lockName, this.#storage, async () => {
      const auth = this.get()
      if (!auth) throw new SuportraError('unauthorized', 'Not signed in')
      const rotated = auth.refreshToken !== seen?.refreshToken || auth.accessToken !== stale
      if (rotated && auth.expiresAt > Date.now()) return auth.accessToken
      try {
        return this.#save(await this.#exchange(auth.refreshToken)).accessToken
      } catch (error) {
        // Refused (not merely unreachable): this sign-in is over, unless another client renewed it meanwhile.
        if (
          SuportraError.isInstance(error) &&
          error.code === 'unauthorized' &&
          this.get()?.refreshToken === auth.refreshToken
        ) {
          this.clear()
        }
        throw error
      }
    }).finally(() => {
      this.#inflight = undefined
    })
    return this.#inflight
  }
}

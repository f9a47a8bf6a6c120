import type { AuthResponse, User } from '@suportra/protocol'
import { SuportraError } from '../core/errors.js'
import { sleep } from '../core/retry.js'
import { type StorageLike, storedValue } from '../core/storage.js'

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

/** The stored sign-in: read, replaced, refreshed. (A closure rather than a class: `this.#` on every field costs the bundle bytes.) */
export function createTokens(
  storage: StorageLike,
  prefix: string,
  exchange: (refreshToken: string) => Promise<AuthResponse>,
  onChange: (auth: StoredAuth | undefined) => void,
) {
  const stored = storedValue<StoredAuth>(storage, `${prefix}auth`)
  const lockName = `${prefix}refresh`
  let inflight: Promise<string> | undefined

  const { get } = stored

  const put = <T extends StoredAuth | undefined>(auth: T): T => {
    stored.set(auth)
    onChange(auth)
    return auth
  }

  const save = ({ expiresIn, ...auth }: AuthResponse): StoredAuth =>
    put({ ...auth, expiresAt: Date.now() + expiresIn * 1000 })

  const clear = (): void => {
    put(undefined)
  }

  /**
   * Replaces `stale` with a fresh access token. If another client sharing the storage rotated the
   * sign-in meanwhile (its refresh token changed), its token is used and no request is made.
   */
  const refresh = (stale: string): Promise<string> => {
    const seen = get()
    inflight ??= withLock(lockName, storage, async () => {
      const auth = get()
      if (!auth) throw new SuportraError('unauthorized', 'Not signed in')
      const rotated = auth.refreshToken !== seen?.refreshToken || auth.accessToken !== stale
      if (rotated && auth.expiresAt > Date.now()) return auth.accessToken
      try {
        return save(await exchange(auth.refreshToken)).accessToken
      } catch (error) {
        // Refused (not merely unreachable): this sign-in is over, unless another client renewed it meanwhile.
        if (
          SuportraError.isInstance(error) &&
          error.code === 'unauthorized' &&
          get()?.refreshToken === auth.refreshToken
        ) {
          clear()
        }
        throw error
      }
    }).finally(() => {
      inflight = undefined
    })
    return inflight
  }

  return {
    get,

    /**
     * Stores the sign-in `request` answers, made under the refresh lock: a refresh of the sign-in held
     * before cannot land after it and bring the old one back, and a socket or request refused meanwhile
     * for the old one (a password reset revokes it) waits, then finds the new one instead of ending it.
     */
    signIn: (request: () => Promise<AuthResponse>): Promise<StoredAuth> =>
      withLock(lockName, storage, async () => save(await request())),

    /** The same sign-in with the user's new details (after an account change). */
    update(user: User): void {
      const auth = get()
      if (auth) put({ ...auth, user })
    },

    clear,

    /** A usable access token, refreshed first when it is about to expire. */
    async access(): Promise<string> {
      const auth = get()
      if (!auth) throw new SuportraError('unauthorized', 'Not signed in')
      return auth.expiresAt - EARLY_MS > Date.now() ? auth.accessToken : refresh(auth.accessToken)
    },

    refresh,
  } as const
}

export type Tokens = ReturnType<typeof createTokens>

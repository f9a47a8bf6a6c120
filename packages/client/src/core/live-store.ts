import { atom, onStart, onStop, type ReadableAtom, STORE_UNMOUNT_DELAY } from 'nanostores'

/** Stores given to `liveStore` or made by `derive` that have a listener now. */
const listened = new WeakSet<ReadableAtom<unknown>>()

/** Whether anyone listens to `store` now (for stores given to `liveStore` or made by `derive`). */
export const isWatched = (store: ReadableAtom<unknown>): boolean => listened.has(store)

/**
 * Calls `watched` each time `store` gets a first listener, and `unwatched` a second after the last
 * one left unless one came back meanwhile, as nanostores' `onMount` waits (a quick remount does not
 * reconnect or reload). Built on nanostores' `onStart`/`onStop`: `onMount` also mounts for a bare
 * `get()`, and mounts only once within that second.
 */
function onWatch(store: ReadableAtom<unknown>, watched: () => void, unwatched: () => void): void {
  onStart(store, () => {
    listened.add(store)
    watched()
  })
  onStop(store, () => {
    listened.delete(store)
    setTimeout(() => isWatched(store) || unwatched(), STORE_UNMOUNT_DELAY)
  })
}

/**
 * A live store: while anyone watches `store`, it holds what `retain` gives (the realtime connection)
 * and it has loaded fresh data once. A `get()` of an unwatched store adds and removes a listener at
 * once (a server render reads stores that way, and so do UI hooks before they subscribe): with no
 * listener left a microtask later, nothing is loaded and nothing held. Every first listener checks
 * again, so a store read and then subscribed within that second still loads.
 */
export function liveStore(
  store: ReadableAtom<unknown>,
  { load, retain }: { load(): Promise<unknown>; retain(): () => void },
): void {
  let release: (() => void) | undefined
  const arm = () => {
    if (release || !isWatched(store)) return
    release = retain()
    load().catch(() => {})
  }
  onWatch(
    store,
    () => queueMicrotask(arm),
    () => {
      release?.()
      release = undefined
    },
  )
}

/**
 * A store computed from two others: what the client needs of nanostores' `computed()` (it follows
 * them while watched; a `get()` while unwatched computes afresh), for a fraction of its bytes.
 */
export function derive<A, B, T>(
  a: ReadableAtom<A>,
  b: ReadableAtom<B>,
  combine: (a: A, b: B) => T,
): ReadableAtom<T> {
  const store = atom(combine(a.get(), b.get()))
  const run = () => store.set(combine(a.value as A, b.value as B))
  let offs: (() => void)[] | undefined
  onWatch(
    store,
    () => {
      if (offs) return
      run()
      offs = [a.listen(run), b.listen(run)]
    },
    () => {
      for (const off of offs ?? []) off()
      offs = undefined
    },
  )
  return store
}

import { atom, type ReadableAtom } from 'nanostores'

/** Stores given to `liveStore` or made by `derive` that have a listener now. */
const listened = new Set<ReadableAtom<unknown>>()

/** Whether anyone listens to `store` now (for stores given to `liveStore` or made by `derive`). */
export const isWatched = (store: ReadableAtom<unknown>): boolean => listened.has(store)

/**
 * Calls `watched` each time `store` gets a first listener, and `unwatched` a second after the last
 * one left unless one came back meanwhile, as nanostores' `onMount` waits (a quick remount does not
 * reconnect or reload). It wraps the store's `listen` and `off` (an atom calls `off()` when its last
 * listener leaves) as nanostores' own `onStart`/`onStop` do: those cost the client 185 bytes more
 * (their event machinery), past its 12 kB budget. This is the one place that knows how.
 */
function onWatch(store: ReadableAtom<unknown>, watched: () => void, unwatched: () => void): void {
  const { listen, off } = store
  store.listen = (listener) => {
    if (!isWatched(store)) watched()
    const unbind = listen(listener)
    // Marked after `listen`: a store both derived and live is wrapped twice, and the inner wrapper
    // must see its first listener too.
    listened.add(store)
    return unbind
  }
  store.off = () => {
    listened.delete(store)
    off()
    setTimeout(() => isWatched(store) || unwatched(), 1_000)
  }
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

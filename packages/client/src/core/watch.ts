import { atom, type ReadableAtom } from 'nanostores'

/**
 * Calls `watched` each time `store` gets a first listener, and `unwatched` a second after the last
 * one left, unless one came back meanwhile (as nanostores' `onMount` waits, so a quick remount
 * does not reconnect or reload). What the client needs of nanostores' lifecycle hooks, without
 * their bytes.
 */
function onWatch(store: ReadableAtom<unknown>, watched: () => void, unwatched: () => void): void {
  const { listen, off } = store
  store.listen = (listener) => {
    if (!store.lc) watched()
    return listen(listener)
  }
  store.off = () => {
    off()
    setTimeout(() => store.lc || unwatched(), 1_000)
  }
}

/**
 * While anyone watches `store`: hold the realtime connection open and load fresh data once.
 * A `get()` of an unwatched store adds and removes a listener at once (a server render reads
 * stores that way, and so do UI hooks before they subscribe): with no listener left a microtask
 * later, nothing is loaded and no socket is held. Every first listener checks again, so a store
 * read and then subscribed within that second still loads.
 */
export function whileWatched(
  store: ReadableAtom<unknown>,
  retain: () => () => void,
  load: () => Promise<unknown>,
): void {
  let release: (() => void) | undefined
  const arm = () => {
    if (release || !store.lc) return
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

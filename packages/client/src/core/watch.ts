import { onMount, type ReadableAtom } from 'nanostores'

/**
 * While anyone watches `store`: hold the realtime connection open and load fresh data once.
 * (nanostores waits a second before unmounting, so a quick remount does not reconnect.)
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
  onMount(store, () => () => {
    release?.()
    release = undefined
  })
  // nanostores' own onStart() does the same, for 40 bytes more than the client's budget allows.
  const listen = store.listen
  store.listen = (listener) => {
    if (!store.lc) queueMicrotask(arm)
    return listen(listener)
  }
}

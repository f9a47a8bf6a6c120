import { onMount, type ReadableAtom } from 'nanostores'

/**
 * While anyone watches `store`: hold the realtime connection open and load fresh data once.
 * (nanostores waits a second before unmounting, so a quick remount does not reconnect.)
 * A `get()` of an unwatched store mounts it for a moment too (a server render reads stores that
 * way): with no listener left a microtask later, nothing is loaded and no socket is opened.
 */
export function whileWatched(
  store: ReadableAtom<unknown>,
  retain: () => () => void,
  load: () => Promise<unknown>,
): void {
  onMount(store, () => {
    let release: (() => void) | undefined
    queueMicrotask(() => {
      if (!store.lc) return
      release = retain()
      load().catch(() => {})
    })
    return () => release?.()
  })
}

import { onMount, type ReadableAtom } from 'nanostores'

/**
 * While anyone watches `store`: hold the realtime connection open and load fresh data once.
 * (nanostores waits a second before unmounting, so a quick remount does not reconnect.)
 */
export function whileWatched(
  store: ReadableAtom<unknown>,
  retain: () => () => void,
  load: () => Promise<unknown>,
): void {
  onMount(store, () => {
    const release = retain()
    load().catch(() => {})
    return release
  })
}

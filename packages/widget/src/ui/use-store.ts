import type { ReadableAtom } from 'nanostores'
import { useEffect, useState } from 'preact/hooks'

/**
 * A nanostore's value in a component, rendered again whenever it changes. Listening is what starts
 * the store's work (loading, a connection) and unmounting stops it. (What `@nanostores/preact` does,
 * without the key filtering and SSR options the widget does not use, which cost ~0.5 kB on open.)
 */
export function useStore<T>(store: ReadableAtom<T>): T {
  const [, rerender] = useState({})
  const value = store.get()
  useEffect(() => {
    const off = store.listen(() => rerender({}))
    // Changed between this render and now (or by starting to listen): render the new value.
    if (store.get() !== value) rerender({})
    return off
  }, [store])
  return value
}

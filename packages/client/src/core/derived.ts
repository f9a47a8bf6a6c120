import { atom, onMount, type ReadableAtom } from 'nanostores'

/**
 * A store computed from two others, kept up to date while anyone listens (and computed afresh by a
 * `get()` when nobody does). nanostores' `computed()` does this too, and more (any number of stores,
 * async values, skipping unchanged inputs), for about 200 bytes more than the client's budget allows.
 */
export function derived<A, B, T>(
  a: ReadableAtom<A>,
  b: ReadableAtom<B>,
  compute: (a: A, b: B) => T,
): ReadableAtom<T> {
  const $derived = atom<T | undefined>(undefined)
  const update = () => $derived.set(compute(a.get(), b.get()))
  onMount($derived, () => {
    const offA = a.listen(update)
    const offB = b.listen(update)
    update()
    return () => {
      offA()
      offB()
    }
  })
  return $derived as ReadableAtom<T>
}

/**
 * `load` run once, its promise shared by every caller; a failed load is forgotten, so the next call
 * tries again (a chunk missing during a deploy, a moment offline).
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined
  return () =>
    (pending ??= load().catch((error: unknown) => {
      pending = undefined
      throw error
    }))
}

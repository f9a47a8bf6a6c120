import type { Signal } from '@preact/signals'

/** How far an upload has got, in bytes. */
export interface Progress {
  loaded: number
  total: number
}

/** Uploads in flight, by the file (Blob) being sent; a new map on every change. */
export type Uploads = Signal<ReadonlyMap<Blob, Progress>>

/**
 * The widget's `fetch` for its client: a request whose body is a file goes through
 * `XMLHttpRequest` (a small chunk loaded on the first upload), which reports upload progress into
 * `uploads`; every other request goes to the global `fetch`.
 */
export function uploadFetch(uploads: Uploads): typeof fetch {
  return (input, init) => {
    const body = init?.body
    if (!(body instanceof Blob) || typeof XMLHttpRequest === 'undefined') return fetch(input, init)
    const set = (progress?: Progress) => {
      const next = new Map(uploads.value)
      if (progress) next.set(body, progress)
      else next.delete(body)
      uploads.value = next
    }
    set({ loaded: 0, total: body.size })
    return import('./xhr.js')
      .then(
        ({ xhrFetch }) => xhrFetch(input, init as RequestInit, (loaded, total) => set({ loaded, total })),
        // The chunk did not load (Chromium keeps failing a module import that failed once): upload
        // without progress rather than fail every upload on this page.
        () => fetch(input, init),
      )
      .finally(() => set())
  }
}

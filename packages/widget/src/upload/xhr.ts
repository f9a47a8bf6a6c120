/**
 * `fetch` for one request with a file body, through `XMLHttpRequest`, which (unlike `fetch`) reports
 * upload progress. Behaves like `fetch` otherwise: honours `init.signal`, rejects with a TypeError
 * when the network fails, and resolves with a real `Response` (status, headers, body).
 */
export function xhrFetch(
  input: RequestInfo | URL,
  init: RequestInit,
  onProgress: (loaded: number, total: number) => void,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const { signal, body } = init
    if (signal?.aborted) return reject(signal.reason)
    const xhr = new XMLHttpRequest()
    xhr.open(init.method ?? 'POST', input instanceof Request ? input.url : String(input))
    for (const [key, value] of new Headers(init.headers)) xhr.setRequestHeader(key, value)
    xhr.responseType = 'blob'
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.total)
    const size = (body as Blob).size
    xhr.upload.onload = () => onProgress(size, size)
    const abort = () => xhr.abort()
    signal?.addEventListener('abort', abort)
    const settle = (fn: () => void) => () => {
      signal?.removeEventListener('abort', abort)
      fn()
    }
    xhr.onload = settle(() => {
      const headers = new Headers()
      for (const line of xhr.getAllResponseHeaders().split(/\r?\n/)) {
        const colon = line.indexOf(':')
        if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
      }
      // These statuses may not have a body (the Response constructor throws).
      const empty = [101, 204, 205, 304].includes(xhr.status)
      resolve(
        new Response(empty ? null : xhr.response, {
          status: xhr.status,
          statusText: xhr.statusText,
          headers,
        }),
      )
    })
    xhr.onerror = xhr.ontimeout = settle(() => reject(new TypeError('Failed to fetch')))
    xhr.onabort = settle(() =>
      reject(signal?.reason ?? new DOMException('The upload was aborted', 'AbortError')),
    )
    xhr.send(body as Blob)
  })
}

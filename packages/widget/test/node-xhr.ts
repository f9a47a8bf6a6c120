/**
 * `XMLHttpRequest` over Node's `http`, for the widget's tests: happy-dom's own never reports upload
 * progress and sends through happy-dom's fetch (which the test environment replaces with Node's for
 * the same reasons, see helpers.tsx). Enough of the API for the widget's upload chunk (`xhr.ts`):
 * open, setRequestHeader, send(Blob) written in chunks with `upload.onprogress` after each, abort,
 * `responseType = 'blob'`, status, statusText, getAllResponseHeaders, onload/onerror/onabort.
 *
 * `NodeXHR.failNext(bytes)` makes the next upload die after `bytes` (a dropped connection).
 */
import { type ClientRequest, request } from 'node:http'

type Handler = ((event: { loaded: number; total: number }) => void) | null

export class NodeXHR {
  static failAfter: number | undefined
  static failNext(bytes: number) {
    NodeXHR.failAfter = bytes
  }
  /** Bytes written per chunk (small, so a test sees several progress events). */
  static chunk = 16 * 1024

  upload: { onprogress: Handler; onload: Handler } = { onprogress: null, onload: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  ontimeout: (() => void) | null = null
  responseType = ''
  response: Blob | null = null
  status = 0
  statusText = ''
  #method = 'GET'
  #url = ''
  #headers: Record<string, string> = {}
  #responseHeaders = ''
  #request: ClientRequest | undefined
  #done = false

  open(method: string, url: string) {
    this.#method = method
    this.#url = url
  }
  setRequestHeader(name: string, value: string) {
    this.#headers[name] = value
  }
  getAllResponseHeaders() {
    return this.#responseHeaders
  }
  abort() {
    if (this.#done) return
    this.#done = true
    this.#request?.destroy()
    this.onabort?.()
  }
  async send(body: Blob) {
    const data = Buffer.from(await body.arrayBuffer())
    const failAt = NodeXHR.failAfter
    NodeXHR.failAfter = undefined
    const req = request(
      this.#url,
      { method: this.#method, headers: { ...this.#headers, 'content-length': String(data.length) } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          if (this.#done) return
          this.#done = true
          this.status = res.statusCode ?? 0
          this.statusText = res.statusMessage ?? ''
          this.#responseHeaders = Object.entries(res.headers)
            .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
            .join('\r\n')
          this.response = new Blob([new Uint8Array(Buffer.concat(chunks))], {
            type: String(res.headers['content-type'] ?? ''),
          })
          this.onload?.()
        })
      },
    )
    this.#request = req
    req.on('error', () => {
      if (this.#done) return
      this.#done = true
      this.onerror?.()
    })
    for (let sent = 0; sent < data.length && !this.#done; ) {
      const end = Math.min(sent + NodeXHR.chunk, data.length)
      if (failAt !== undefined && end > failAt) {
        req.destroy(new Error('connection reset'))
        return
      }
      await new Promise<void>((resolve) => req.write(data.subarray(sent, end), () => resolve()))
      sent = end
      this.upload.onprogress?.({ loaded: sent, total: data.length })
    }
    if (this.#done) return
    this.upload.onload?.({ loaded: data.length, total: data.length })
    req.end()
  }
}

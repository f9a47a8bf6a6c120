import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import { guardedLookup, hostOf, isPublicAddress } from './address.js'

export interface SendResult {
  /** The endpoint's HTTP status, or null when it could not be reached (or was refused here). */
  status: number | null
  ok: boolean
  error: string | null
}

/** Bytes of an endpoint's answer read at most (only the status counts; the rest is drained). */
const ANSWER_BYTES = 4096

/**
 * POSTs one webhook body. Goes only to public addresses unless `allowPrivate` (the address is
 * checked and pinned at connection time, see `guardedLookup`); follows no redirect (a 3xx is a
 * failure: a redirect to an internal address would undo the check); gives up after `timeoutMs`.
 * Never throws: the outcome is the result.
 */
export function sendWebhook(input: {
  url: string
  body: string
  headers: Record<string, string>
  timeoutMs: number
  allowPrivate: boolean
  signal?: AbortSignal
}): Promise<SendResult> {
  const url = new URL(input.url)
  const host = hostOf(url)
  if (!input.allowPrivate && isIP(host) !== 0 && !isPublicAddress(host)) {
    return Promise.resolve({ status: null, ok: false, error: `${host} is not a public address` })
  }
  if (url.protocol !== 'https:' && !(input.allowPrivate && url.protocol === 'http:')) {
    return Promise.resolve({ status: null, ok: false, error: 'only https:// endpoints are allowed' })
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve) => {
    let settled = false
    const finish = (result: SendResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(result)
    }
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...input.headers, 'content-length': String(Buffer.byteLength(input.body)) },
        lookup: guardedLookup(input.allowPrivate),
        // No connection pooling: every delivery resolves and checks the address again.
        agent: false,
        ...(input.signal && { signal: input.signal }),
      },
      (res) => {
        const status = res.statusCode ?? 0
        let read = 0
        res.on('data', (chunk: Buffer) => {
          read += chunk.length
          if (read > ANSWER_BYTES) res.destroy()
        })
        const done = () => {
          const ok = status >= 200 && status < 300
          finish({ status, ok, error: ok ? null : `endpoint answered ${status}` })
        }
        res.on('end', done)
        res.on('close', done)
        res.on('error', done)
      },
    )
    const timer = setTimeout(() => {
      req.destroy()
      finish({ status: null, ok: false, error: `no answer within ${input.timeoutMs} ms` })
    }, input.timeoutMs)
    req.on('error', (error: NodeJS.ErrnoException) => {
      finish({ status: null, ok: false, error: error.message.slice(0, 300) })
    })
    req.end(input.body)
  })
}

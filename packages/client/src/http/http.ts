import { ErrorBody } from '@suportra/protocol'
import type * as z from 'zod/mini'
import type { Tokens } from '../auth/tokens.js'
import { isRetryable, SuportraError } from '../core/errors.js'
import { jitter, sleep } from '../core/retry.js'

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE'
  /** JSON body. */
  body?: unknown
  /** Raw body (file uploads), sent with `headers['content-type']`. */
  raw?: Blob | ArrayBuffer | Uint8Array | string
  query?: Record<string, string | number | undefined>
  headers?: Record<string, string>
  /** Send the access token (default true). */
  auth?: boolean
  /** Retry network errors, 5xx and 429 with backoff. Default: only for GET. Only for requests safe to repeat. */
  retry?: boolean
}

export type Http = <S extends z.ZodMiniType>(
  path: string,
  schema: S,
  options?: RequestOptions,
) => Promise<z.infer<S>>

/** Retries of a request safe to repeat: three, after 300 ms, 1 s and 3 s, each give or take a quarter (jitter). */
const RETRY_MS = [300, 1_000, 3_000]
/**
 * A request whose answer has not started after this long fails as `network` (and is retried where
 * that is safe): a connection can die without a close (a machine waking on another network), and
 * the runtime's own timeout is 5 minutes in Node and absent in browsers. File uploads may take longer.
 */
export const ANSWER_TIMEOUT_MS = 30_000

/**
 * The one place the client talks HTTP: adds the app id and access token, refreshes an expired
 * token once, turns every failure into a SuportraError and validates every response body.
 */
export function createHttp(config: {
  baseUrl: string
  appId: string
  fetch: typeof fetch
  tokens: () => Tokens
}): Http {
  async function once<S extends z.ZodMiniType>(
    path: string,
    schema: S,
    options: RequestOptions,
    token?: string,
  ) {
    const url = new URL(config.baseUrl.replace(/\/$/, '') + path)
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value))
    }
    const headers: Record<string, string> = { 'x-suportra-app': config.appId, ...options.headers }
    if (token) headers.authorization = `Bearer ${token}`
    let body = options.raw as BodyInit | undefined
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(options.body)
    }
    let response: Response
    let text: string
    const abort = new AbortController()
    const timer = options.raw ? undefined : setTimeout(() => abort.abort(), ANSWER_TIMEOUT_MS)
    try {
      response = await config.fetch(url, {
        method: options.method ?? 'GET',
        headers,
        body,
        signal: abort.signal,
      })
      // The answer has started: a large body on a slow link may take longer to arrive.
      clearTimeout(timer)
      text = await response.text()
    } catch (cause) {
      clearTimeout(timer)
      throw new SuportraError('network', undefined, { cause })
    }
    const status = response.status
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {}
    const parsed = (response.ok ? schema : ErrorBody).safeParse(json)
    if (!parsed.success) {
      // Not the contract: a proxy's error page, a truncated body, a wrong shape.
      const code = status >= 500 ? 'server' : 'protocol'
      throw new SuportraError(code, `Unexpected response from ${path} (${status})`, {
        cause: parsed.error,
        status,
      })
    }
    if (response.ok) return parsed.data as z.infer<S>
    const { code, message, details } = (parsed.data as ErrorBody).error
    throw new SuportraError(code, message, {
      status,
      details: typeof details === 'object' ? details : undefined,
    })
  }

  async function authorized<S extends z.ZodMiniType>(path: string, schema: S, options: RequestOptions) {
    if (options.auth === false) return once(path, schema, options)
    const tokens = config.tokens()
    const token = await tokens.access()
    try {
      return await once(path, schema, options, token)
    } catch (error) {
      // An access token can expire or be rotated by another tab between check and use: refresh once.
      // Its sign-in revoked too: the one stored now may be newer (a password reset); if not, the
      // refresh is refused and signs out.
      if (!SuportraError.isInstance(error) || error.code !== 'unauthorized') throw error
      return once(path, schema, options, await tokens.refresh(token))
    }
  }

  return async (path, schema, options = {}) => {
    const retry = options.retry ?? (options.method ?? 'GET') === 'GET'
    for (let attempt = 0; ; attempt++) {
      try {
        return await authorized(path, schema, options)
      } catch (error) {
        const step = RETRY_MS[attempt]
        if (!retry || !step || !isRetryable(error)) throw error
        const retryAfter = Number((error as SuportraError).details?.retryAfter)
        await sleep(retryAfter > 0 ? retryAfter * 1000 : jitter(step))
      }
    }
  }
}

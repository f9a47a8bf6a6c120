import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import * as z from 'zod/mini'
import type { Tokens } from '../auth/tokens.js'
import { ANSWER_TIMEOUT_MS, createHttp } from './http.js'

const Ok = z.object({ ok: z.boolean() })

/** A fetch that never answers (a connection that died without a close) until its signal aborts. */
function silentServer() {
  const requests: { method: string; signal: AbortSignal }[] = []
  const fetch = ((_url: URL, init: RequestInit) => {
    const signal = init.signal as AbortSignal
    requests.push({ method: String(init.method), signal })
    return new Promise((_, reject) => {
      signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
    })
  }) as typeof globalThis.fetch
  return { http: httpOver(fetch), requests }
}

const httpOver = (fetch: typeof globalThis.fetch) =>
  createHttp({
    baseUrl: 'http://api.test',
    appId: 'app_test',
    fetch,
    tokens: () => ({ access: async () => 'token' }) as unknown as Tokens,
  })

beforeEach(() => {
  vi.useFakeTimers()
  // The middle of the retries' jitter: each wait is its whole step.
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
})
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('a request the server never answers', () => {
  test('fails as network after 30 s and its connection is abandoned', async () => {
    const { http, requests } = silentServer()
    const sent = http('/v1/auth/refresh', Ok, { method: 'POST', body: {}, auth: false })
    const failed = expect(sent).rejects.toMatchObject({ code: 'network' })
    await vi.advanceTimersByTimeAsync(ANSWER_TIMEOUT_MS - 1)
    expect(requests[0]?.signal.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await failed
    expect(requests).toHaveLength(1)
    expect(requests[0]?.signal.aborted).toBe(true)
  })

  test('is tried again when it is safe to repeat (GET)', async () => {
    const { http, requests } = silentServer()
    const sent = http('/v1/sessions', Ok).catch((error) => error)
    await vi.advanceTimersByTimeAsync(ANSWER_TIMEOUT_MS + 300)
    expect(requests).toHaveLength(2)
    // Four tries in all, 300 ms, 1 s and 3 s apart.
    await vi.advanceTimersByTimeAsync(3 * ANSWER_TIMEOUT_MS + 4_000)
    expect(await sent).toMatchObject({ code: 'network' })
    expect(requests).toHaveLength(4)
  })

  test('an answer that has started is not cut off while its body arrives slowly', async () => {
    const slowBody = (async () =>
      ({
        ok: true,
        status: 200,
        text: () => new Promise((resolve) => setTimeout(() => resolve('{"ok":true}'), 2 * ANSWER_TIMEOUT_MS)),
      }) as Response) as unknown as typeof fetch
    const sent = httpOver(slowBody)('/v1/account/export', Ok)
    await vi.advanceTimersByTimeAsync(2 * ANSWER_TIMEOUT_MS)
    await expect(sent).resolves.toEqual({ ok: true })
  })

  test('a file upload is not cut off: it may take longer than 30 s', async () => {
    const { http, requests } = silentServer()
    http('/v1/sessions/ses_1/attachments', Ok, { method: 'POST', raw: new Blob(['x']) }).catch(() => {})
    await vi.advanceTimersByTimeAsync(10 * ANSWER_TIMEOUT_MS)
    expect(requests[0]?.signal.aborted).toBe(false)
  })
})

import { createClient, memoryStorage, type StorageLike, type SuportraClient } from '@suportra/client'
import { DEMO } from '@suportra/server/testing'
import { expect } from 'vitest'
import WebSocket from 'ws'

export { DEMO }

/** A client against `url` with Node's `ws` WebSocket and (by default) its own memory storage. */
export function makeClient(
  url: string,
  options: { storage?: StorageLike; fetch?: typeof fetch } = {},
): SuportraClient {
  return createClient({
    baseUrl: url,
    appId: DEMO.appId,
    storage: options.storage ?? memoryStorage(),
    WebSocket,
    ...(options.fetch && { fetch: options.fetch }),
  })
}

export async function signedIn(
  url: string,
  who: 'user' | 'builder',
  options: Parameters<typeof makeClient>[1] = {},
) {
  const client = makeClient(url, options)
  const account = who === 'user' ? DEMO.user : DEMO.builder
  await client.auth.signIn({ email: account.email, password: account.password })
  return client
}

/** Polls `check` until it passes (it should throw or return false until then). */
export async function eventually(check: () => unknown, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if ((await check()) !== false) return
    } catch (error) {
      if (Date.now() > deadline) throw error
    }
    if (Date.now() > deadline) expect.fail(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Keeps a store mounted (as a UI would) until the returned function is called. */
export function watch(...stores: { subscribe(fn: () => void): () => void }[]): () => void {
  const offs = stores.map((store) => store.subscribe(() => {}))
  return () => {
    for (const off of offs) off()
  }
}

/** A fetch that counts requests by path (and keeps every URL), for asserting how many calls were made. */
export function countingFetch() {
  const counts = new Map<string, number>()
  const urls: string[] = []
  const fetchFn: typeof fetch = (input, init) => {
    const url = new URL(String(input))
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1)
    urls.push(url.pathname + url.search)
    return fetch(input, init)
  }
  return { fetch: fetchFn, urls, count: (path: string) => counts.get(path) ?? 0 }
}

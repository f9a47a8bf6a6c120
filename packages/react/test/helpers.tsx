import { createClient, memoryStorage, type SuportraClient } from '@suportra/client'
import { createUser, DEMO, type TestServer } from '@suportra/server/testing'
import WebSocket from 'ws'

export { DEMO }

/**
 * A client as a React app would make it. Requests go through happy-dom's fetch, from the page's
 * origin (http://localhost:3000), so CORS is checked as in a browser; the socket uses `ws`.
 */
export function makeClient(baseUrl: string, fetch?: typeof globalThis.fetch): SuportraClient {
  return createClient({
    baseUrl,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
    ...(fetch && { fetch }),
  })
}

export async function signedIn(
  baseUrl: string,
  who: 'user' | 'builder' | { email: string },
  fetch?: typeof globalThis.fetch,
): Promise<SuportraClient> {
  const client = makeClient(baseUrl, fetch)
  const email = who === 'user' ? DEMO.user.email : who === 'builder' ? DEMO.builder.email : who.email
  await client.auth.signIn({ email, password: DEMO.user.password })
  return client
}

/** A new account with `credits` (each started session costs one), so tests do not drain the demo user. */
export async function newUser(server: TestServer, credits = 3): Promise<{ email: string; id: string }> {
  const email = `react-${Math.random().toString(36).slice(2, 10)}@example.com`
  const { user } = await createUser(server, { email, credits })
  return { email, id: user.id }
}

/** A `fetch` that records `METHOD path` of every request it makes. */
export function recordingFetch() {
  const requests: string[] = []
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET')
    requests.push(`${method.toUpperCase()} ${url.pathname}`)
    return globalThis.fetch(input, init)
  }
  return { fetch, requests }
}

/** Sockets the server holds (authenticated ones, every user). */
export function socketsOf(server: { current: { hub: { size: number } } }): number {
  return server.current.hub.size
}

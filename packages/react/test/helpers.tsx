import { createClient, memoryStorage, type SuportraClient } from '@suportra/client'
import { DEMO } from '@suportra/server/testing'
import WebSocket from 'ws'

export { DEMO }

/**
 * A client as a React app would make it. Requests go through happy-dom's fetch, from the page's
 * origin (http://localhost:3000), so CORS is checked as in a browser; the socket uses `ws`.
 */
export function makeClient(baseUrl: string): SuportraClient {
  return createClient({ baseUrl, appId: DEMO.appId, storage: memoryStorage(), WebSocket })
}

export async function signedIn(baseUrl: string, who: 'user' | 'builder'): Promise<SuportraClient> {
  const client = makeClient(baseUrl)
  const account = who === 'user' ? DEMO.user : DEMO.builder
  await client.auth.signIn({ email: account.email, password: account.password })
  return client
}

/** Sockets the server holds for a user. */
export function socketsOf(server: { current: { hub: { size: number } } }): number {
  return server.current.hub.size
}

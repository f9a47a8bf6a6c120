import type { SuportraClient } from '@suportra/client'
import { startTestServer, type TestServer } from '@suportra/server/testing'
import { cleanup } from '@testing-library/react'
import { type ReactNode, StrictMode } from 'react'
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest'
import { SuportraProvider } from '../src/index.js'
import { newUser, signedIn } from './helpers.js'

/**
 * One real server for a test file, and clients that are destroyed after each test. `client()`
 * signs in the demo builder or a new user with credits of their own (a started session costs one).
 */
export function setupServer() {
  const clients: SuportraClient[] = []
  const harness = {
    server: undefined as unknown as TestServer,
    async client(who: 'user' | 'builder' = 'user', fetch?: typeof globalThis.fetch) {
      const account = who === 'builder' ? 'builder' : await newUser(harness.server)
      const created = await signedIn(harness.server.url, account, fetch)
      clients.push(created)
      return created
    },
  }
  beforeAll(async () => {
    harness.server = await startTestServer()
  })
  afterEach(async () => {
    cleanup()
    for (const client of clients.splice(0)) client.destroy()
    // The next test counts sockets: wait until the server has seen every one of these close.
    await vi.waitFor(() => expect(harness.server.current.hub.size).toBe(0), { timeout: 5_000 })
  })
  afterAll(() => harness.server.close())
  return harness
}

/** A `renderHook`/`render` wrapper: the provider for `client`, in StrictMode if asked. */
export const wrapper =
  (client: SuportraClient, strict = false) =>
  ({ children }: { children?: ReactNode }) => {
    const tree = <SuportraProvider client={client}>{children}</SuportraProvider>
    return strict ? <StrictMode>{tree}</StrictMode> : tree
  }

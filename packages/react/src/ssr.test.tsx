// @vitest-environment node
import { createClient } from '@suportra/client'
import { renderToString } from 'react-dom/server'
import { expect, test } from 'vitest'
import {
  SuportraProvider,
  SuportraWidget,
  useBuilderQueue,
  useConnection,
  useCredits,
  useSession,
  useSessions,
  useUser,
} from './index.js'

function Everything() {
  const user = useUser()
  const connection = useConnection()
  const { balance } = useCredits()
  const { sessions } = useSessions()
  const { messages, session } = useSession('ses_server_render')
  const { queue } = useBuilderQueue()
  return (
    <main>
      <p>{user ? user.name : 'signed out'}</p>
      <p>{connection}</p>
      <p>{balance ?? 'no balance yet'}</p>
      <p>
        {sessions.length} {queue.length} {messages.length} {session?.status ?? 'unknown'}
      </p>
      <SuportraWidget appId="app_demo" baseUrl="http://127.0.0.1:8787" />
    </main>
  )
}

const BROWSER_GLOBALS = [
  'window',
  'document',
  'localStorage',
  'sessionStorage',
  'navigator',
  'location',
] as const

test('the provider, every hook and <SuportraWidget> render on the server without touching browser globals', () => {
  const client = createClient({ baseUrl: 'http://127.0.0.1:8787', appId: 'app_demo' })
  const before = new Set(Object.keys(globalThis))
  const touched: string[] = []
  const saved = BROWSER_GLOBALS.map(
    (name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const,
  )
  for (const name of BROWSER_GLOBALS) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name)
        return undefined
      },
    })
  }
  let html: string
  try {
    html = renderToString(
      <SuportraProvider client={client}>
        <Everything />
      </SuportraProvider>,
    )
  } finally {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor)
      else delete (globalThis as Record<string, unknown>)[name]
    }
  }
  expect(html).toContain('signed out')
  expect(html).toContain('idle')
  expect(html).toContain('no balance yet')
  expect(touched).toEqual([])
  expect([...Object.keys(globalThis)].filter((key) => !before.has(key))).toEqual([])
  // No store was mounted by a server render, so nothing started: no requests, no socket.
  expect(client.sessions.$list.lc).toBe(0)
  expect(client.$connection.get()).toBe('idle')
  client.destroy()
})

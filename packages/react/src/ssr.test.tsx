// @vitest-environment node
import { createClient, memoryStorage, type SuportraClient } from '@suportra/client'
import { startTestServer, type TestServer } from '@suportra/server/testing'
import { renderToString } from 'react-dom/server'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import WebSocket from 'ws'
import { DEMO } from '../test/helpers.js'
import {
  SuportraProvider,
  useAccount,
  useBuilderQueue,
  useConnection,
  useCredits,
  useSession,
  useSessions,
  useSuportra,
  useUser,
} from './index.js'
import { SuportraWidget } from './widget/index.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

function Everything({ sessionId }: { sessionId: string }) {
  useSuportra()
  useAccount()
  const user = useUser()
  const connection = useConnection()
  const { balance } = useCredits()
  const { sessions } = useSessions()
  const { messages, session, typing, hasOlder } = useSession(sessionId)
  const { queue } = useBuilderQueue()
  return (
    <main>
      <p>{user ? `signed in as ${user.email}` : 'signed out'}</p>
      <p>{connection}</p>
      <p>{balance ?? 'no balance yet'}</p>
      <p>
        {sessions.length} {queue.length} {messages.length} {session?.status ?? 'unknown'} {String(hasOlder)}{' '}
        {typing?.author ?? 'nobody typing'}
      </p>
      <SuportraWidget appId={DEMO.appId} baseUrl={server.url} />
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
const globalsNow = () => [
  ...Object.getOwnPropertyNames(globalThis),
  ...Object.getOwnPropertySymbols(globalThis).map(String),
]

/** Runs `fn` with the browser globals turned into traps that record every read. */
function trappingBrowserGlobals<T>(fn: () => T): { value: T; touched: string[] } {
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
  try {
    return { value: fn(), touched }
  } finally {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor)
      else delete (globalThis as Record<string, unknown>)[name]
    }
  }
}

function storesOf(client: SuportraClient, sessionId: string) {
  const handle = client.sessions.get(sessionId)
  return [
    client.$user,
    client.$connection,
    client.sessions.$list,
    client.credits.$balance,
    client.builder.$queue,
    handle.$session,
    handle.$messages,
    handle.$typing,
    handle.$hasOlder,
  ]
}

test('a signed-in server render of the provider, every hook and <SuportraWidget> makes no request, opens no socket and writes no global', async () => {
  // A real sign-in (and a real session), kept in a storage the server-side client is then given.
  const storage = memoryStorage()
  const earlier = createClient({ baseUrl: server.url, appId: DEMO.appId, storage, WebSocket })
  await earlier.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  const { id: sessionId } = await earlier.sessions.start({ tool: 'cursor', topic: 'Rendered on the server' })
  earlier.destroy()

  const fetchSpy = vi.fn<typeof fetch>((...args) => fetch(...args))
  const sockets = vi.fn()
  class SpyWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      sockets(args[0])
    }
  }
  const globalsBefore = globalsNow()
  const client = createClient({
    baseUrl: server.url,
    appId: DEMO.appId,
    storage,
    fetch: fetchSpy,
    WebSocket: SpyWebSocket,
  })
  expect(client.$user.get()?.email).toBe(DEMO.user.email)

  const { value: html, touched } = trappingBrowserGlobals(() =>
    renderToString(
      <SuportraProvider client={client}>
        <Everything sessionId={sessionId} />
      </SuportraProvider>,
    ),
  )
  // Whatever a read during the render might have started would have started by now.
  await new Promise((resolve) => setTimeout(resolve, 200))

  expect(html).toContain(`signed in as ${DEMO.user.email}`)
  expect(html).toContain('idle')
  expect(html).toContain('no balance yet')
  expect(touched).toEqual([])
  expect(fetchSpy).not.toHaveBeenCalled()
  expect(sockets).not.toHaveBeenCalled()
  expect(client.$connection.get()).toBe('idle')
  expect(storesOf(client, sessionId).map((store) => store.lc)).toEqual(Array(9).fill(0))
  expect(globalsNow().filter((name) => !globalsBefore.includes(name))).toEqual([])
  expect(globalsBefore.filter((name) => !globalsNow().includes(name))).toEqual([])
  client.destroy()
})

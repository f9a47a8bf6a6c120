import type { SuportraClient } from '@suportra/client'
import { startTestServer, type TestServer } from '@suportra/server/testing'
import { act, cleanup, render, renderHook, waitFor } from '@testing-library/react'
import { type ReactNode, StrictMode, version } from 'react'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { signedIn } from '../test/helpers.js'
import {
  SuportraProvider,
  useBuilderQueue,
  useConnection,
  useCredits,
  useSession,
  useSessions,
  useUser,
} from './index.js'

let server: TestServer
const clients: SuportraClient[] = []
beforeAll(async () => {
  server = await startTestServer()
})
afterEach(() => {
  cleanup()
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(() => server.close())

async function client(who: 'user' | 'builder') {
  const created = await signedIn(server.url, who)
  clients.push(created)
  return created
}

const wrapper =
  (value: SuportraClient, strict = false) =>
  ({ children }: { children?: ReactNode }) => {
    const tree = <SuportraProvider client={value}>{children}</SuportraProvider>
    return strict ? <StrictMode>{tree}</StrictMode> : tree
  }

describe(`hooks follow realtime events (React ${version})`, () => {
  test('user, connection, credits, sessions, session and queue update as things happen', async () => {
    const user = await client('user')
    const builder = await client('builder')
    const mine = renderHook(
      () => ({
        user: useUser(),
        connection: useConnection(),
        credits: useCredits(),
        sessions: useSessions(),
      }),
      {
        wrapper: wrapper(user),
      },
    )
    const queue = renderHook(() => useBuilderQueue(), { wrapper: wrapper(builder) })

    expect(mine.result.current.user?.email).toBe('ada@example.com')
    await waitFor(() => expect(mine.result.current.connection).toBe('open'))
    await waitFor(() => expect(mine.result.current.credits.balance).toBe(3))

    const handle = await act(() =>
      mine.result.current.sessions.start({ tool: 'lovable', topic: 'Supabase auth loop' }),
    )
    await waitFor(() => expect(mine.result.current.credits.balance).toBe(2))
    await waitFor(() => expect(mine.result.current.sessions.sessions.map((s) => s.id)).toContain(handle.id))
    await waitFor(() => expect(queue.result.current.queue.map((s) => s.id)).toContain(handle.id))

    const session = renderHook(() => useSession(handle.id), { wrapper: wrapper(user) })
    const theirs = await act(() => queue.result.current.claim(handle.id))
    await waitFor(() => expect(queue.result.current.queue.map((s) => s.id)).not.toContain(handle.id))
    await waitFor(() => expect(session.result.current.session?.status).toBe('active'))

    await act(() => theirs.send('Check the redirect URL in Supabase'))
    await waitFor(() =>
      expect(session.result.current.messages.map((m) => m.body)).toContain(
        'Check the redirect URL in Supabase',
      ),
    )

    theirs.typing()
    await waitFor(() => expect(session.result.current.typing?.author).toBe('builder'))

    await act(() => session.result.current.send('Fixed, thanks'))
    const sent = session.result.current.messages.find((m) => m.body === 'Fixed, thanks')
    expect(sent?.status).toBe('sent')

    await act(async () => {
      await theirs.load()
      await theirs.markRead()
    })
    await waitFor(() => expect(session.result.current.session?.readSeq.builder).toBeGreaterThan(0))
    await act(() => theirs.close())
    await waitFor(() => expect(session.result.current.session?.status).toBe('closed'))
    await act(() => session.result.current.rate({ score: 5 }))
    await waitFor(() =>
      expect(mine.result.current.sessions.sessions.find((s) => s.id === handle.id)?.rating?.score).toBe(5),
    )
  })
})

describe(`connections (React ${version})`, () => {
  test('StrictMode mounts twice but opens one socket; unmounting closes it and leaves no listener', async () => {
    const user = await client('user')
    const before = server.current.hub.size
    const view = render(<Live />, { wrapper: wrapper(user, true) })
    await waitFor(() => expect(user.$connection.get()).toBe('open'))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(server.current.hub.size - before).toBe(1)
    expect(user.sessions.$list.lc).toBeGreaterThan(0)

    view.unmount()
    // nanostores keeps a store mounted for a second after its last listener; the socket lingers one more.
    await waitFor(() => expect(user.$connection.get()).toBe('idle'), { timeout: 5_000 })
    expect(user.sessions.$list.lc).toBe(0)
    expect(user.credits.$balance.lc).toBe(0)
    await waitFor(() => expect(server.current.hub.size).toBe(before))
  })

  test('two components watching the same session share one socket', async () => {
    const user = await client('user')
    const handle = await user.sessions.start({ tool: 'cursor', topic: 'Shared socket' })
    const before = server.current.hub.size
    render(
      <>
        <Transcript id={handle.id} />
        <Transcript id={handle.id} />
        <Live />
      </>,
      { wrapper: wrapper(user, true) },
    )
    await waitFor(() => expect(user.$connection.get()).toBe('open'))
    expect(server.current.hub.size - before).toBe(1)
    await handle.cancel()
  })
})

function Live() {
  const { sessions } = useSessions()
  const { balance } = useCredits()
  return (
    <p>
      {sessions.length} sessions, {balance} credits
    </p>
  )
}

function Transcript({ id }: { id: string }) {
  const { messages } = useSession(id)
  return (
    <ol>
      {messages.map((m) => (
        <li key={m.key}>{m.body}</li>
      ))}
    </ol>
  )
}

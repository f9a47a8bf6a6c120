import { api, signIn } from '@suportra/server/testing'
import { act, renderHook, waitFor } from '@testing-library/react'
import { version } from 'react'
import { describe, expect, test, vi } from 'vitest'
import { setupServer, wrapper } from '../test/harness.js'
import { recordingFetch } from '../test/helpers.js'
import {
  useBuilderQueue,
  useConnection,
  useCredits,
  useSession,
  useSessions,
  useSuportra,
  useUser,
} from './index.js'

const harness = setupServer()
const client = harness.client

// The react-18 project sets REACT_MAJOR=18 and aliases React 18 in: if the alias broke, this run
// would use React 19 a second time and pass everything else unnoticed.
const REACT_MAJOR = process.env.REACT_MAJOR ?? '19'
test(`runs on React ${REACT_MAJOR}`, () => {
  expect(version.split('.')[0]).toBe(REACT_MAJOR)
})

describe(`hooks follow realtime events (React ${version})`, () => {
  test('useSuportra() returns the provider’s client and explains a missing provider', async () => {
    const user = await client()
    expect(renderHook(() => useSuportra(), { wrapper: wrapper(user) }).result.current).toBe(user)
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {}) // React logs the throw too
    expect(() => renderHook(() => useSuportra())).toThrow(/SuportraProvider/)
    quiet.mockRestore()
  })

  test('user, connection, credits, sessions, session and queue update as things happen', async () => {
    const user = await client()
    const builder = await client('builder')
    const mine = renderHook(
      () => ({
        user: useUser(),
        connection: useConnection(),
        credits: useCredits(),
        sessions: useSessions(),
      }),
      { wrapper: wrapper(user) },
    )
    const queue = renderHook(() => useBuilderQueue(), { wrapper: wrapper(builder) })

    expect(mine.result.current.user?.id).toBe(user.$user.get()?.id)
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

  test('useSessions() follows a claim and a close by the builder over realtime, with no request of its own', async () => {
    const recorded = recordingFetch()
    const user = await client('user', recorded.fetch)
    const builder = await client('builder')
    const mine = renderHook(() => ({ sessions: useSessions(), connection: useConnection() }), {
      wrapper: wrapper(user),
    })
    await waitFor(() => expect(mine.result.current.connection).toBe('open'))
    const handle = await act(() =>
      mine.result.current.sessions.start({ tool: 'cursor', topic: 'Tabs lose state' }),
    )
    const status = () => mine.result.current.sessions.sessions.find((s) => s.id === handle.id)?.status
    await waitFor(() => expect(status()).toBe('waiting'))
    const before = recorded.requests.length

    const theirs = await builder.builder.claim(handle.id)
    await waitFor(() => expect(status()).toBe('active'))
    await theirs.close()
    await waitFor(() => expect(status()).toBe('closed'))
    // Both changes came over the socket: the user's client asked the server for nothing.
    expect(recorded.requests.slice(before)).toEqual([])
  })

  test('markRead() from useSession reaches the builder; close() from useSession closes it on both sides', async () => {
    const user = await client()
    const builder = await client('builder')
    const handle = await user.sessions.start({ tool: 'bolt', topic: 'Deploy is blank' })
    await builder.builder.claim(handle.id)
    const mine = renderHook(() => useSession(handle.id), { wrapper: wrapper(user) })
    const theirs = renderHook(() => useSession(handle.id), { wrapper: wrapper(builder) })

    const sent = await act(() => theirs.result.current.send('Which build command do you use?'))
    await waitFor(() =>
      expect(mine.result.current.messages.map((m) => m.body)).toContain('Which build command do you use?'),
    )
    expect(theirs.result.current.session?.readSeq.user).toBe(0)
    await act(() => mine.result.current.markRead())
    await waitFor(() => expect(theirs.result.current.session?.readSeq.user).toBe(sent.seq))

    await act(() => mine.result.current.close())
    await waitFor(() => expect(mine.result.current.session?.status).toBe('closed'))
    await waitFor(() => expect(theirs.result.current.session?.status).toBe('closed'))
  })

  test('hasOlder and loadOlder() page back through a long transcript (50 messages a page)', async () => {
    const user = await client()
    const builder = await client('builder')
    const handle = await user.sessions.start({ tool: 'replit', topic: 'A long one' })
    const theirs = await builder.builder.claim(handle.id)
    for (let i = 1; i <= 55; i++) await theirs.send(`step ${i}`)

    const mine = renderHook(() => useSession(handle.id), { wrapper: wrapper(user) })
    const bodies = () => mine.result.current.messages.map((m) => m.body)
    await waitFor(() => expect(bodies()).toContain('step 55'))
    expect(mine.result.current.messages).toHaveLength(50)
    expect(bodies()).not.toContain('step 1')
    expect(mine.result.current.hasOlder).toBe(true)

    await act(() => mine.result.current.loadOlder())
    await waitFor(() => expect(mine.result.current.hasOlder).toBe(false))
    for (let i = 1; i <= 55; i++) expect(bodies()).toContain(`step ${i}`)
  })

  test('signing out takes useUser() to null and useConnection() back to idle', async () => {
    const user = await client()
    const view = renderHook(() => ({ user: useUser(), connection: useConnection(), list: useSessions() }), {
      wrapper: wrapper(user),
    })
    await waitFor(() => expect(view.result.current.connection).toBe('open'))
    expect(view.result.current.user).not.toBeNull()

    await act(() => user.auth.signOut())
    await waitFor(() => expect(view.result.current.user).toBeNull())
    await waitFor(() => expect(view.result.current.connection).toBe('idle'))
  })

  test('an account deleted elsewhere (the server revokes the sign-in) signs the hooks out', async () => {
    const user = await client()
    const view = renderHook(() => ({ user: useUser(), connection: useConnection(), list: useSessions() }), {
      wrapper: wrapper(user),
    })
    await waitFor(() => expect(view.result.current.connection).toBe('open'))

    const email = user.$user.get()?.email as string
    const elsewhere = await signIn(harness.server.url, email)
    const deleted = await api(harness.server.url, 'DELETE', '/v1/account', { token: elsewhere.accessToken })
    expect(deleted.status).toBe(200)

    await waitFor(() => expect(view.result.current.user).toBeNull())
    await waitFor(() => expect(view.result.current.connection).toBe('idle'))
  })
})

test('the hooks’ functions keep their identity across renders (safe in effect dependencies)', async () => {
  const user = await client()
  const session = await user.sessions.start({ tool: 'cursor', topic: 'Stable callbacks' })
  const view = renderHook(
    () => ({ credits: useCredits(), sessions: useSessions(), session: useSession(session.id) }),
    { wrapper: wrapper(user) },
  )
  const first = view.result.current
  view.rerender()
  const next = view.result.current
  expect(next).not.toBe(first)
  for (const name of ['refresh', 'transactions', 'packs', 'checkout'] as const)
    expect(next.credits[name], name).toBe(first.credits[name])
  expect(next.sessions.start).toBe(first.sessions.start)
  for (const name of ['send', 'notifyTyping', 'markRead', 'close', 'rate'] as const)
    expect(next.session[name], name).toBe(first.session[name])
})

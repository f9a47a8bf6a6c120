import type { SuportraClient } from '@suportra/client'
import { render, waitFor } from '@testing-library/react'
import { StrictMode, version } from 'react'
import { describe, expect, test } from 'vitest'
import { setupServer, wrapper } from '../test/harness.js'
import { socketsOf } from '../test/helpers.js'
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

const harness = setupServer()

/** Every store a client has that a hook can watch (the handle's ones for session `id`). */
function storesOf(client: SuportraClient, id: string) {
  const handle = client.sessions.get(id)
  return {
    $user: client.$user,
    $connection: client.$connection,
    'sessions.$list': client.sessions.$list,
    'credits.$balance': client.credits.$balance,
    'builder.$queue': client.builder.$queue,
    $session: handle.$session,
    $messages: handle.$messages,
    $typing: handle.$typing,
    $hasOlder: handle.$hasOlder,
  }
}
const listeners = (stores: ReturnType<typeof storesOf>) =>
  Object.fromEntries(Object.entries(stores).map(([name, store]) => [name, store.lc]))

describe(`connections (React ${version})`, () => {
  test('every hook under StrictMode: one socket per client, and unmounting leaves no listener and no socket', async () => {
    const user = await harness.client()
    const builder = await harness.client('builder')
    const handle = await user.sessions.start({ tool: 'cursor', topic: 'Leak check' })
    const before = socketsOf(harness.server)

    const view = render(
      <StrictMode>
        <SuportraProvider client={user}>
          <UserSide id={handle.id} />
        </SuportraProvider>
        <SuportraProvider client={builder}>
          <BuilderSide id={handle.id} />
        </SuportraProvider>
      </StrictMode>,
    )
    await waitFor(() => expect(user.$connection.get()).toBe('open'))
    await waitFor(() => expect(builder.$connection.get()).toBe('open'))
    await waitFor(() => expect(view.getByText(/Leak check · waiting/)).toBeTruthy())
    await waitFor(() => expect(view.getByText(/in the queue: [1-9]/)).toBeTruthy())
    // A late second socket (from the double mount) would show up after the first one opened.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(socketsOf(harness.server) - before).toBe(2)
    const userStores = storesOf(user, handle.id)
    for (const name of [
      '$user',
      '$connection',
      'sessions.$list',
      'credits.$balance',
      '$session',
      '$messages',
    ] as const)
      expect(userStores[name].lc, name).toBeGreaterThan(0)
    expect(builder.builder.$queue.lc).toBeGreaterThan(0)

    view.unmount()
    expect(listeners(userStores)).toEqual(
      Object.fromEntries(Object.keys(userStores).map((name) => [name, 0])),
    )
    const builderStores = storesOf(builder, handle.id)
    expect(listeners(builderStores)).toEqual(
      Object.fromEntries(Object.keys(builderStores).map((name) => [name, 0])),
    )
    // nanostores keeps a store mounted for a second after its last listener; the socket lingers a moment more.
    await waitFor(() => expect(user.$connection.get()).toBe('idle'), { timeout: 5_000 })
    await waitFor(() => expect(builder.$connection.get()).toBe('idle'), { timeout: 5_000 })
    await waitFor(() => expect(socketsOf(harness.server)).toBe(before))
  })

  test('two components watching the same session share one socket', async () => {
    const user = await harness.client()
    const handle = await user.sessions.start({ tool: 'cursor', topic: 'Shared socket' })
    const before = socketsOf(harness.server)
    render(
      <>
        <UserSide id={handle.id} />
        <UserSide id={handle.id} />
      </>,
      { wrapper: wrapper(user, true) },
    )
    await waitFor(() => expect(user.$connection.get()).toBe('open'))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(socketsOf(harness.server) - before).toBe(1)
    await handle.cancel()
  })
})

/** The user's side of an app: every user hook. */
function UserSide({ id }: { id: string }) {
  useSuportra()
  const user = useUser()
  const connection = useConnection()
  const { balance } = useCredits()
  const { sessions } = useSessions()
  const { session, messages, typing, hasOlder } = useSession(id)
  useAccount()
  return (
    <section>
      <p>
        {user?.name} {connection} {balance} credits, {sessions.length} sessions
      </p>
      <p>
        {session?.topic} · {session?.status} · {messages.length} messages
        {typing ? ' · typing' : ''}
        {hasOlder ? ' · more' : ''}
      </p>
    </section>
  )
}

/** The builder's side: the queue, and the same session from the other end. */
function BuilderSide({ id }: { id: string }) {
  const { queue } = useBuilderQueue()
  const { session } = useSession(id)
  return (
    <p>
      in the queue: {queue.length}, watching {session?.id}
    </p>
  )
}

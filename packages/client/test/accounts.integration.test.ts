import { type ConnectionChange, memoryStorage, type StorageLike, SuportraError } from '@suportra/client'
import {
  allMessages,
  api,
  grantCredits,
  signIdentityToken,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DEMO, eventually, makeClient, watch } from './helpers.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ rateLimits: { passwordResetsPerEmail: { points: 100, duration: 60 } } })
})
afterAll(() => server.close())

let counter = 0
const fresh = () => `client-accounts-${Date.now().toString(36)}-${++counter}@example.com`
const PAGE = 'http://localhost:5173/help'

/** The token of the newest reset link emailed to `to` (the server queues it just after answering). */
async function emailedToken(to: string): Promise<string> {
  const { db } = server.current.context.store
  let token: string | undefined
  await eventually(async () => {
    const rows = await db.selectFrom('emails').select('body').where('to_address', '=', to).execute()
    token = rows.at(-1)?.body.match(/#suportra-reset=([\w-]+)/)?.[1]
    return token !== undefined
  })
  return token as string
}

/** What `storage` holds under this client's key `name` (auth, outbox:<user id>, sessions:<user id>). */
const stored = (storage: StorageLike, name: string) => storage.getItem(`suportra:${DEMO.appId}:${name}`)

/**
 * A signed-up user with a session and a message typed while sending messages fails as a dropped network
 * does (the rest of the API works): the message waits in the outbox, the session in the offline cache.
 */
async function withUnsentMessage(email: string) {
  const storage = memoryStorage()
  const network = { messagesDown: true }
  const client = makeClient(server.url, {
    storage,
    fetch: (input, init) =>
      network.messagesDown && init?.method === 'POST' && String(input).endsWith('/messages')
        ? Promise.reject(new TypeError('fetch failed'))
        : fetch(input, init),
  })
  const user = await client.auth.signUp({
    name: 'Typist',
    email,
    password: 'old-password',
    ageConfirmed: true,
  })
  await grantCredits(server, user.id, 1)
  const session = await client.sessions.start({ tool: 'cursor', topic: 'Typed before the reset' })
  const stop = watch(client.sessions.$list, session.$messages, client.credits.$balance)
  session.send('Not sent yet').catch(() => {})
  await eventually(() =>
    expect(session.$messages.get().at(-1)).toMatchObject({ body: 'Not sent yet', status: 'pending' }),
  )
  await eventually(() => expect(client.$connection.get()).toBe('open'))
  const changes: ConnectionChange[] = []
  const users: (string | null)[] = []
  client.on('connection', (change) => changes.push(change))
  client.on('user', (signedIn) => users.push(signedIn?.email ?? null))
  return { client, storage, network, user, session, stop, changes, users }
}

describe('auth.signUp', () => {
  test('needs the 16+ confirmation: without it the server refuses, with a message that says so', async () => {
    const client = makeClient(server.url)
    const refused = client.auth.signUp({
      name: 'Nope',
      email: fresh(),
      password: 'long-enough',
    } as Parameters<typeof client.auth.signUp>[0])
    await expect(refused).rejects.toMatchObject({
      code: 'validation',
      message: expect.stringContaining('16'),
    })
    expect(client.$user.get()).toBeNull()
    const user = await client.auth.signUp({
      name: 'Yes',
      email: fresh(),
      password: 'long-enough',
      ageConfirmed: true,
    })
    expect(client.$user.get()).toEqual(user)
    expect(user.managed).toBe(false)
    client.destroy()
  })
})

describe('auth.requestPasswordReset and auth.resetPassword', () => {
  test('a link to the given page; resetting signs in here and signs out the other client', async () => {
    const email = fresh()
    const other = makeClient(server.url)
    await other.auth.signUp({ name: 'Two Tabs', email, password: 'old-password', ageConfirmed: true })

    const client = makeClient(server.url)
    await expect(client.auth.requestPasswordReset({ email, url: PAGE })).resolves.toEqual({ ok: true })
    await expect(
      client.auth.requestPasswordReset({ email: 'nobody@example.com', url: PAGE }),
    ).resolves.toEqual({ ok: true })
    const token = await emailedToken(email)

    const user = await client.auth.resetPassword({ token, password: 'new-password' })
    expect(user.email).toBe(email)
    expect(client.$user.get()?.id).toBe(user.id)
    // The other sign-in is over: its next call is refused and it signs itself out.
    await expect(other.credits.refresh()).rejects.toMatchObject({ code: 'unauthorized' })
    expect(other.$user.get()).toBeNull()
    // The same link again: refused, and the reason says which.
    const again = await makeClient(server.url)
      .auth.resetPassword({ token, password: 'third-password' })
      .catch((error: unknown) => error)
    expect(SuportraError.isInstance(again) && again.details?.reason).toBe('reset_link')
    await makeClient(server.url).auth.signIn({ email, password: 'new-password' })
    client.destroy()
    other.destroy()
  })

  test('a reset that fails (a link used or unknown) changes nothing here: still signed in, the unsent message and the cached session kept', async () => {
    const email = fresh()
    const { client, storage, network, user, session, stop, users } = await withUnsentMessage(email)
    const error = await client.auth
      .resetPassword({ token: 'an-unknown-or-used-link-token', password: 'new-password' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'validation', details: { reason: 'reset_link' } })
    // Nothing here was signed out or erased…
    expect(users).toEqual([])
    expect(client.$user.get()?.email).toBe(email)
    expect(session.$messages.get().at(-1)).toMatchObject({ body: 'Not sent yet', status: 'pending' })
    expect(stored(storage, `outbox:${user.id}`)).toContain('Not sent yet')
    expect(stored(storage, `sessions:${user.id}`)).toContain('Typed before the reset')
    // …and the sign-in still works on the server: the message goes out with it.
    network.messagesDown = false
    await eventually(() =>
      expect(session.$messages.get().at(-1)).toMatchObject({ body: 'Not sent yet', seq: expect.any(Number) }),
    )
    await expect(client.credits.refresh()).resolves.toBe(0)
    stop()
    client.destroy()
  })

  test('a reset by the person signed in here: the old socket closes (4003) and reconnects with the new sign-in, nobody is signed out, the unsent message goes out', async () => {
    const email = fresh()
    const { client, storage, network, user, session, stop, changes, users } = await withUnsentMessage(email)
    await client.auth.requestPasswordReset({ email, url: PAGE })
    await client.auth.resetPassword({ token: await emailedToken(email), password: 'new-password' })
    network.messagesDown = false
    // The server revoked the old sign-in and closed its socket: the client saw that close (its socket
    // left `open` without being asked to) and connected again, with the new sign-in.
    await eventually(() => {
      const closed = changes.findIndex((c) => c.previous === 'open' && c.current === 'reconnecting')
      expect(closed).toBeGreaterThanOrEqual(0)
      expect(changes.slice(closed).some((c) => c.current === 'open')).toBe(true)
    })
    expect(client.$connection.get()).toBe('open')
    expect(users).toEqual([])
    expect(client.$user.get()?.email).toBe(email)
    // The message typed before the reset reached the server, once, after it.
    await eventually(() =>
      expect(session.$messages.get().at(-1)).toMatchObject({ body: 'Not sent yet', seq: expect.any(Number) }),
    )
    const auth = JSON.parse(stored(storage, 'auth') ?? '{}')
    const onServer = await allMessages(server.url, auth.accessToken, session.id)
    expect(onServer.filter((m) => m.body === 'Not sent yet')).toHaveLength(1)
    expect(stored(storage, `outbox:${user.id}`)).toBeNull()
    await expect(client.credits.refresh()).resolves.toBe(0)
    stop()
    client.destroy()
  })

  test('without a url in Node (no page to come back to) the server says it needs one', async () => {
    const client = makeClient(server.url)
    await expect(client.auth.requestPasswordReset({ email: DEMO.user.email })).rejects.toMatchObject({
      code: 'validation',
      message: expect.stringContaining('url'),
    })
  })

  test('in a browser the link opens the current page by default, without its query (it may hold tokens or personal data)', async () => {
    const email = fresh()
    await makeClient(server.url).auth.signUp({
      name: 'Page',
      email,
      password: 'old-password',
      ageConfirmed: true,
    })
    const location = { href: `${PAGE}?from=widget&session=abc#old-fragment` }
    Object.defineProperty(globalThis, 'location', { value: location, configurable: true })
    try {
      await makeClient(server.url).auth.requestPasswordReset({ email })
    } finally {
      Reflect.deleteProperty(globalThis, 'location')
    }
    const token = await emailedToken(email)
    const { db } = server.current.context.store
    const [row] = await db.selectFrom('emails').select('body').where('to_address', '=', email).execute()
    expect(row?.body).toContain(`${PAGE}#suportra-reset=${token}`)
    expect(row?.body).not.toContain('session=abc')
  })

  test('a hash-routed page (/#/editor): the link opens the page, the token in the fragment', async () => {
    const email = fresh()
    await makeClient(server.url).auth.signUp({
      name: 'Hash',
      email,
      password: 'old-password',
      ageConfirmed: true,
    })
    const location = { href: 'http://localhost:5173/app/#/editor?tab=2' }
    Object.defineProperty(globalThis, 'location', { value: location, configurable: true })
    try {
      await makeClient(server.url).auth.requestPasswordReset({ email })
    } finally {
      Reflect.deleteProperty(globalThis, 'location')
    }
    const token = await emailedToken(email)
    const { db } = server.current.context.store
    const [row] = await db.selectFrom('emails').select('body').where('to_address', '=', email).execute()
    expect(row?.body).toContain(`http://localhost:5173/app/#suportra-reset=${token}`)
  })
})

describe('a revoked sign-in', () => {
  test('ends here when it is the one stored: the socket closes (4003) and the client signs out', async () => {
    const storage = memoryStorage()
    const client = makeClient(server.url, { storage })
    await client.auth.signUp({ name: 'Gone', email: fresh(), password: 'the-password', ageConfirmed: true })
    const stop = watch(client.credits.$balance)
    await eventually(() => expect(client.$connection.get()).toBe('open'))
    const { refreshToken } = JSON.parse(stored(storage, 'auth') ?? '{}')
    // Signed out elsewhere with this very sign-in (the server revokes it and closes its sockets).
    const out = await api(server.url, 'POST', '/v1/auth/sign-out', {
      app: DEMO.appId,
      body: { refreshToken },
    })
    expect(out.status).toBe(200)
    await eventually(() => expect(client.$user.get()).toBeNull())
    expect(stored(storage, 'auth')).toBeNull()
    expect(client.$connection.get()).toBe('idle')
    stop()
    client.destroy()
  })

  test('ends only itself: a sign-in stored since by another client on the same storage stays, and the socket moves to it', async () => {
    const email = fresh()
    const storage = memoryStorage()
    const first = makeClient(server.url, { storage })
    await first.auth.signUp({ name: 'Two Tabs', email, password: 'the-password', ageConfirmed: true })
    const stop = watch(first.credits.$balance)
    await eventually(() => expect(first.$connection.get()).toBe('open'))
    const old = JSON.parse(stored(storage, 'auth') ?? '{}').refreshToken
    // Another tab signs in again: a new sign-in, stored in place of the first.
    const second = makeClient(server.url, { storage })
    await second.auth.signIn({ email, password: 'the-password' })
    const now = stored(storage, 'auth')
    const changes: ConnectionChange[] = []
    first.on('connection', (change) => changes.push(change))
    // The first sign-in is ended on the server: the first client's socket, still on it, closes with 4003.
    await api(server.url, 'POST', '/v1/auth/sign-out', { app: DEMO.appId, body: { refreshToken: old } })
    await eventually(() => {
      const closed = changes.findIndex((c) => c.previous === 'open' && c.current === 'reconnecting')
      expect(closed).toBeGreaterThanOrEqual(0)
      expect(changes.slice(closed).some((c) => c.current === 'open')).toBe(true)
    })
    expect(first.$user.get()?.email).toBe(email)
    expect(stored(storage, 'auth')).toBe(now)
    await expect(first.credits.refresh()).resolves.toBe(0)
    stop()
    first.destroy()
    second.destroy()
  })

  test('a request refused for it over HTTP, when a newer sign-in is stored, is made again with the newer one (no sign-out)', async () => {
    const email = fresh()
    const storage = memoryStorage()
    // Holds the balance request after it took its token and before it goes out.
    let gate: Promise<void> | undefined
    const client = makeClient(server.url, {
      storage,
      fetch: async (input, init) => {
        if (String(input).endsWith('/v1/credits')) await gate
        return fetch(input, init)
      },
    })
    await client.auth.signUp({ name: 'Slow', email, password: 'the-password', ageConfirmed: true })
    const old = JSON.parse(stored(storage, 'auth') ?? '{}').refreshToken
    let release = () => {}
    gate = new Promise((resolve) => (release = resolve))
    const balance = client.credits.refresh()
    // Meanwhile another tab signs in anew and the old sign-in is revoked.
    await makeClient(server.url, { storage }).auth.signIn({ email, password: 'the-password' })
    const now = stored(storage, 'auth')
    await api(server.url, 'POST', '/v1/auth/sign-out', { app: DEMO.appId, body: { refreshToken: old } })
    release()
    await expect(balance).resolves.toBe(0)
    expect(client.$user.get()?.email).toBe(email)
    expect(stored(storage, 'auth')).toBe(now)
    client.destroy()
  })
})

describe('account.update', () => {
  test('changes the name and email; $user, the stored sign-in and another client on the same storage follow', async () => {
    const storage = memoryStorage()
    const client = makeClient(server.url, { storage })
    await client.auth.signUp({ name: 'Before', email: fresh(), password: 'the-password', ageConfirmed: true })
    const email = fresh()
    const user = await client.account.update({ name: 'After', email, password: 'the-password' })
    expect(user).toMatchObject({ name: 'After', email })
    expect(client.$user.get()).toMatchObject({ name: 'After', email })
    // A reload (a new client on the same storage) shows the new details at once.
    const reloaded = makeClient(server.url, { storage })
    expect(reloaded.$user.get()).toMatchObject({ name: 'After', email })
    // And the new email signs in.
    await makeClient(server.url).auth.signIn({ email, password: 'the-password' })
    client.destroy()
    reloaded.destroy()
  })

  test('a wrong password is `forbidden` (not a sign-out), and nothing changes', async () => {
    const client = makeClient(server.url)
    await client.auth.signUp({ name: 'Keeps', email: fresh(), password: 'the-password', ageConfirmed: true })
    const error = await client.account
      .update({ name: 'Changed', password: 'not-it-at-all' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'forbidden', details: { reason: 'password' } })
    expect(client.$user.get()?.name).toBe('Keeps')
    await expect(client.credits.refresh()).resolves.toBe(0)
    client.destroy()
  })

  test('an email already used is a `conflict`', async () => {
    const client = makeClient(server.url)
    await client.auth.signUp({ name: 'Dup', email: fresh(), password: 'the-password', ageConfirmed: true })
    await expect(
      client.account.update({ email: DEMO.user.email, password: 'the-password' }),
    ).rejects.toMatchObject({ code: 'conflict' })
    client.destroy()
  })

  test('a vendor-managed user is told why not', async () => {
    const client = makeClient(server.url)
    const token = await signIdentityToken({
      sub: 'client-managed-1',
      name: 'Vee',
      email: 'vee@vendor.example',
    })
    await client.auth.identify({ token })
    expect(client.$user.get()?.managed).toBe(true)
    await expect(client.account.update({ name: 'Other', password: 'whatever' })).rejects.toMatchObject({
      code: 'forbidden',
      details: { reason: 'managed' },
      message: expect.stringContaining('change your name and email there'),
    })
    client.destroy()
  })
})

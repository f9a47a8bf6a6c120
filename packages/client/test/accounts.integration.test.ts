import { memoryStorage, SuportraError } from '@suportra/client'
import { signIdentityToken, startTestServer, type TestServer } from '@suportra/server/testing'
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

  test('resetting while signed in here as the same person keeps the new sign-in: the revocation of the old one does not end it', async () => {
    const email = fresh()
    const client = makeClient(server.url)
    await client.auth.signUp({ name: 'Here', email, password: 'old-password', ageConfirmed: true })
    const users: (string | null)[] = []
    client.on('user', (user) => users.push(user?.email ?? null))
    const stop = watch(client.credits.$balance)
    await eventually(() => client.$connection.get() === 'open')
    await client.auth.requestPasswordReset({ email, url: PAGE })
    await client.auth.resetPassword({ token: await emailedToken(email), password: 'new-password' })
    await eventually(() => client.$connection.get() === 'open')
    // Time for the old socket's close (4003, revoked) to arrive, had it been left open.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(client.$user.get()?.email).toBe(email)
    expect(users.at(-1)).toBe(email)
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

  test('in a browser the link opens the current page by default', async () => {
    const email = fresh()
    await makeClient(server.url).auth.signUp({
      name: 'Page',
      email,
      password: 'old-password',
      ageConfirmed: true,
    })
    const location = { href: `${PAGE}?from=widget#old-fragment` }
    Object.defineProperty(globalThis, 'location', { value: location, configurable: true })
    try {
      await makeClient(server.url).auth.requestPasswordReset({ email })
    } finally {
      Reflect.deleteProperty(globalThis, 'location')
    }
    const token = await emailedToken(email)
    const { db } = server.current.context.store
    const [row] = await db.selectFrom('emails').select('body').where('to_address', '=', email).execute()
    expect(row?.body).toContain(`${PAGE}?from=widget#suportra-reset=${token}`)
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

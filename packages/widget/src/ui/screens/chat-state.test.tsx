import { allMessages } from '@suportra/server/testing'
import { fireEvent, waitFor, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import {
  activeSession,
  composer,
  connected,
  controlledFetch,
  openSignedIn,
  setupServer,
  transcript,
  type,
} from '../../../test/helpers.js'

const harness = setupServer()

/** The transcript line holding `text`. */
const line = (text: string) => within(transcript()).getByText(text).closest('li') as HTMLElement
const send = (text: string) => {
  type(composer(), text)
  fireEvent.keyDown(composer(), { key: 'Enter' })
}

test('"Read" shows under my newest message the builder has read, and moves when they read newer ones', async () => {
  const { widget } = await openSignedIn(harness)
  const { handle, builder } = await activeSession(harness, widget)
  harness.defer(handle.$messages.listen(() => {}))
  // The builder's socket is up before anything is sent: a message sent while it authenticates, for a
  // session its resume frame did not carry yet, can be missed (noted in issue 19's closing note).
  await waitFor(() => expect(builder.$connection.get()).toBe('open'), { timeout: 5_000 })
  const builderHas = (text: string) =>
    waitFor(() => expect(handle.$messages.get().some((m) => m.body === text)).toBe(true), { timeout: 5_000 })

  send('First question')
  await builderHas('First question')
  expect(within(transcript()).queryByText('Read')).toBeNull()

  await handle.markRead()
  await waitFor(() => expect(within(line('First question')).queryByText('Read')).not.toBeNull())

  send('Second question')
  await builderHas('Second question')
  // Not read yet: "Read" stays where it was.
  expect(within(line('First question')).queryByText('Read')).not.toBeNull()
  expect(within(line('Second question')).queryByText('Read')).toBeNull()

  await handle.markRead()
  await waitFor(() => expect(within(line('Second question')).queryByText('Read')).not.toBeNull())
  expect(within(line('First question')).queryByText('Read')).toBeNull()
  expect(within(transcript()).getAllByText('Read')).toHaveLength(1)
})

test("the builder's own messages never say Read, however far the user has read", async () => {
  const { widget } = await openSignedIn(harness)
  const { handle, builder } = await activeSession(harness, widget)
  harness.defer(handle.$session.listen(() => {}))
  await waitFor(() => expect(builder.$connection.get()).toBe('open'), { timeout: 5_000 })
  await handle.send('Hello from the builder')
  await within(transcript()).findByText('Hello from the builder')
  // The widget marks what is on screen as read; the builder's side learns it, but the widget shows
  // only what the builder has read of the user's messages.
  await waitFor(() => expect(handle.$session.get()?.readSeq.user).toBeGreaterThan(0))
  expect(within(transcript()).queryByText('Read')).toBeNull()
})

test("the user's typing reaches the builder", async () => {
  const { widget } = await openSignedIn(harness)
  const { handle, builder } = await activeSession(harness, widget)
  await connected(widget)
  // The builder watches the conversation (which is what keeps their realtime connection open).
  harness.defer(handle.$messages.listen(() => {}))
  harness.defer(handle.$typing.listen(() => {}))
  await waitFor(() => expect(builder.$connection.get()).toBe('open'), { timeout: 5_000 })
  expect(handle.$typing.get()).toBeNull()

  fireEvent.input(composer(), { target: { value: 'I tried' } })

  await waitFor(() => expect(handle.$typing.get()).toMatchObject({ author: 'user' }), { timeout: 5_000 })
})

test('Retry after a failure that passed: the message is sent once', async () => {
  // A proxy or captive portal answers the first send with its own page: not the API, not retried
  // by itself. Once the network is fine again, Retry sends the message.
  let blocked = true
  const network = controlledFetch()
  const proxied: typeof fetch = (input, init) =>
    blocked && init?.method === 'POST' && String(input).endsWith('/messages')
      ? Promise.resolve(
          new Response('<h1>Access denied</h1>', { status: 403, headers: { 'content-type': 'text/html' } }),
        )
      : network.fetch(input, init)
  const { widget, account } = await openSignedIn(harness, 3, { fetch: proxied })
  const { id } = await activeSession(harness, widget)

  send('Does this arrive?')
  const alert = await within(transcript()).findByRole('alert')
  // Not the proxy's page, not "Unexpected response from …": a sentence for the user.
  expect(alert.textContent).toMatch(/^Not sent: Something went wrong\. Please try again\./)

  blocked = false
  fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }))

  await waitFor(() => expect(within(transcript()).queryByRole('alert')).toBeNull())
  await waitFor(() => expect(within(line('Does this arrive?')).queryByText('Sending…')).toBeNull())
  const stored = (await allMessages(harness.server.url, account.token, id)).filter((m) => m.kind !== 'event')
  expect(stored.map((m) => m.body)).toEqual(['Does this arrive?'])
})

test('a message the server refuses because the session ended says so in words, not the server’s', async () => {
  const network = controlledFetch()
  const { widget } = await openSignedIn(harness, 3, { fetch: network.fetch })
  const { handle } = await activeSession(harness, widget)

  network.down = true
  send('Are you still there?')
  await waitFor(() => expect(within(line('Are you still there?')).getByText('Sending…')).toBeTruthy())
  await handle.close()
  network.down = false

  const alert = await within(transcript()).findByRole('alert', undefined, { timeout: 10_000 })
  expect(alert.textContent).toMatch(/^Not sent: This session no longer takes messages\./)
})

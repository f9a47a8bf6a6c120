import { api } from '@suportra/server/testing'
import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import {
  activeSession,
  composer,
  connected,
  DEMO,
  openSignedIn,
  realtimeGate,
  setupServer,
  startSession,
  transcript,
} from '../../../test/helpers.js'

const harness = setupServer()
const builderName = DEMO.builder.name

/** The texts of the transcript's lines, in order (screen-reader prefixes included). */
const lines = () =>
  within(transcript())
    .queryAllByRole('listitem')
    .map((li) => li.textContent ?? '')

test('the session start and the builder joining show as event lines', async () => {
  const { widget } = await openSignedIn(harness)
  await activeSession(harness, widget)

  expect(lines()).toEqual(['Session started', `${builderName} joined`])
  expect(screen.queryByText('Waiting for a builder')).toBeNull()
})

test("a builder's reply appears in the transcript, attributed to them", async () => {
  const { widget } = await openSignedIn(harness)
  const { handle } = await activeSession(harness, widget)

  await handle.send('Run `pnpm why react` and paste the output')

  const reply = await within(transcript()).findByText('pnpm why react')
  const item = reply.closest('li') as HTMLElement
  expect(item.className).toContain('theirs')
  expect(item.textContent).toBe(`${builderName}: Run pnpm why react and paste the output`)
  expect(reply.tagName).toBe('CODE')
})

test('the typing indicator shows while the builder types and goes when their message lands', async () => {
  const { widget } = await openSignedIn(harness)
  const { handle } = await activeSession(harness, widget)
  await connected(widget)

  handle.typing()
  expect(await screen.findByText(`${builderName} is typing…`)).toBeTruthy()

  await handle.send('Found it')
  await within(transcript()).findByText('Found it')
  await waitFor(() => expect(screen.queryByText(`${builderName} is typing…`)).toBeNull())
})

test('a banner shows while the connection is down, and what was missed arrives once', async () => {
  const network = realtimeGate()
  const { widget } = await openSignedIn(harness, 3, { WebSocket: network.WebSocket })
  const { handle } = await activeSession(harness, widget)
  await connected(widget)

  network.hold()
  harness.server.current.dropConnections()
  const banner = await screen.findByText('Reconnecting…')
  expect(banner.getAttribute('role')).toBe('status')
  await handle.send('Sent while you were away')

  network.release()
  await waitFor(() => expect(screen.queryByText('Reconnecting…')).toBeNull(), { timeout: 5_000 })
  await within(transcript()).findByText('Sent while you were away')
  expect(lines().filter((line) => line.includes('Sent while you were away'))).toHaveLength(1)
})

test('going offline shows the offline banner; coming back removes it', async () => {
  const { widget } = await openSignedIn(harness)
  await activeSession(harness, widget)
  await connected(widget)

  window.dispatchEvent(new Event('offline'))
  expect(await screen.findByText('You are offline. Messages will be sent when you are back.')).toBeTruthy()

  window.dispatchEvent(new Event('online'))
  await connected(widget)
  // The panel re-renders after the connection store changes, not in the same tick.
  await waitFor(() =>
    expect(screen.queryByText('You are offline. Messages will be sent when you are back.')).toBeNull(),
  )
})

test('ending the session leads to the rating screen and closes it on the server', async () => {
  const { widget, account } = await openSignedIn(harness)
  const { id } = await activeSession(harness, widget)

  fireEvent.click(screen.getByRole('button', { name: 'End session' }))

  expect(await screen.findByRole('heading', { name: 'How did it go?' })).toBeTruthy()
  const stored = await api(harness.server.url, 'GET', `/v1/sessions/${id}`, { token: account.token })
  expect(stored.body.session.status).toBe('closed')
})

test('when the builder ends the session the chat becomes read-only and offers a rating', async () => {
  const { widget } = await openSignedIn(harness)
  const { handle } = await activeSession(harness, widget)

  await handle.close()

  await within(transcript()).findByText('Session ended')
  await waitFor(() => expect(screen.queryByRole('textbox', { name: 'Write a message' })).toBeNull())
  expect(screen.queryByRole('button', { name: 'End session' })).toBeNull()
  fireEvent.click(screen.getByRole('button', { name: 'How did it go?' }))
  expect(await screen.findByRole('heading', { name: 'How did it go?' })).toBeTruthy()
})

test('cancelling while waiting ends the session and gives the credit back', async () => {
  const { widget, account } = await openSignedIn(harness, 3)
  await connected(widget)
  const id = await startSession(widget)
  await screen.findByText('2 ◆')

  fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))

  await within(transcript()).findByText('Session cancelled')
  expect(screen.queryByText('Waiting for a builder')).toBeNull()
  expect(screen.queryByRole('textbox', { name: 'Write a message' })).toBeNull()
  expect(await screen.findByText('3 ◆')).toBeTruthy()
  const stored = await api(harness.server.url, 'GET', `/v1/sessions/${id}`, { token: account.token })
  expect(stored.body.session.status).toBe('cancelled')
  // From here the user can start over.
  fireEvent.click(screen.getByRole('button', { name: 'New session' }))
  expect(await screen.findByRole('heading', { name: 'What are you stuck on?' })).toBeTruthy()
})

test('reopening the widget during a session goes straight back to the chat', async () => {
  const { widget } = await openSignedIn(harness)
  await activeSession(harness, widget, 'Vercel build times out')

  fireEvent.click(screen.getByRole('button', { name: 'Back' }))
  expect(await screen.findByText('Vercel build times out')).toBeTruthy()
  expect(composer()).toBeTruthy()
})

test('message content cannot inject markup: no script, no event handlers, no javascript: link', async () => {
  const { widget } = await openSignedIn(harness)
  const { handle } = await activeSession(harness, widget)

  await handle.send(
    [
      '<script>window.pwned = true</script>',
      '<img src=x onerror="window.pwned = true">',
      '[click me](javascript:window.pwned=true)',
      '[docs](https://example.com/docs) and [mail](mailto:help@example.com)',
    ].join('\n\n'),
  )

  const log = transcript()
  await within(log).findByText('docs')
  expect(log.querySelector('script, img, iframe')).toBeNull()
  const attributes = [...log.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.name))
  expect(attributes.filter((name) => name.startsWith('on'))).toEqual([])
  // The markup is shown as the text it is.
  expect(log.textContent).toContain('<script>window.pwned = true</script>')
  expect(log.textContent).toContain('[click me](javascript:window.pwned=true)')
  const hrefs = [...log.querySelectorAll('a')].map((a) => a.getAttribute('href'))
  expect(hrefs).toEqual(['https://example.com/docs', 'mailto:help@example.com'])
  expect((window as { pwned?: boolean }).pwned).toBeUndefined()
})

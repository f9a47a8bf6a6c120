import { api } from '@suportra/server/testing'
import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import {
  activeSession,
  composer,
  connected,
  DEMO,
  openPanel,
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

test("the session's topic and context take one line (topic, then tool · file · error) that expands on demand", async () => {
  const { widget } = await openSignedIn(harness)
  await openPanel(widget, {
    context: {
      file: { path: 'src/app/page.tsx', content: 'export default function Page() {}' },
      error: { message: 'Error: Hydration failed\nat Page', stack: 'at Page (src/app/page.tsx:2:10)' },
    },
  })
  await activeSession(harness, widget, 'Hydration error after adding a date')

  const toggle = screen.getByRole('button', { name: /^Hydration error after adding a date/ })
  expect(toggle.closest('h3')).toBeTruthy()
  expect(toggle.getAttribute('aria-expanded')).toBe('false')
  expect(toggle.textContent).toBe(
    // (The error's line break shows as a space on that one line.)
    'Hydration error after adding a datecursor · page.tsx · Error: Hydration failed\nat Page',
  )
  expect(screen.queryByRole('group', { name: 'Shared with the builder' })).toBeNull()

  fireEvent.click(toggle)
  expect(toggle.getAttribute('aria-expanded')).toBe('true')
  const card = screen.getByRole('group', { name: 'Shared with the builder' })
  expect(card.textContent).toContain('at Page (src/app/page.tsx:2:10)')
  // Shared already: nothing to remove any more.
  expect(within(card).queryByRole('button', { name: /^Remove/ })).toBeNull()

  fireEvent.click(toggle)
  expect(toggle.getAttribute('aria-expanded')).toBe('false')
  expect(screen.queryByRole('group', { name: 'Shared with the builder' })).toBeNull()
})

test('scrolling to the top loads the older messages and says so while it does, up to the first line and a line that says it is the start', async () => {
  const { widget } = await openSignedIn(harness)
  const { handle } = await activeSession(harness, widget)
  for (let i = 1; i <= 60; i++) await handle.send(`Message ${i}`)
  await within(transcript()).findByText('Message 60')
  await widget.client.sessions.get(handle.id).reload()
  await within(transcript()).findByText('Message 60')
  expect(within(transcript()).queryByText('Message 1')).toBeNull()

  // Older messages exist: the top of the list says they load (as soon as the user scrolls there).
  expect(lines()[0]).toBe('Loading…')
  // (happy-dom has no layout: every scroll is "at the top".)
  fireEvent.scroll(transcript())
  await within(transcript()).findByText('Message 1')
  // The top of the list says this is the start, above the transcript's first line; nothing more to load.
  await waitFor(() => expect(lines().slice(0, 2)).toEqual(['Start of the conversation', 'Session started']))
  fireEvent.scroll(transcript())
  expect(lines().slice(0, 2)).toEqual(['Start of the conversation', 'Session started'])
  expect(lines().filter((line) => /Message \d+$/.test(line))).toHaveLength(60)
})

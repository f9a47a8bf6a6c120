import type { SuportraError } from '@suportra/client'
import { signIdentityToken } from '@suportra/server/testing'
import { act, fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import {
  activeSession,
  connected,
  openPanel,
  openSignedIn,
  renderWidget,
  setupServer,
  startSession,
} from '../test/helpers.js'
import type { Widget, WidgetEventName } from './widget.js'

const harness = setupServer()

/** Every widget event, in order, as [name, payload]. */
function record(widget: Widget) {
  const events: [WidgetEventName, unknown][] = []
  for (const name of ['open', 'close', 'unread', 'session-started', 'session-closed', 'error'] as const) {
    widget.on(name, (payload) => events.push([name, payload]))
  }
  return events
}
const names = (events: [WidgetEventName, unknown][]) => events.map(([name]) => name)

test("'open' and 'close' fire once per change, from the API and the launcher alike", async () => {
  const widget = harness.widget()
  renderWidget(widget)
  const events = record(widget)

  await act(() => {
    widget.open()
    widget.open()
  })
  await act(() => {
    widget.close()
    widget.close()
  })
  fireEvent.click(screen.getByRole('button', { name: 'Ask a human' }))
  await act(() => widget.toggle())

  expect(names(events)).toEqual(['open', 'close', 'open', 'close'])
})

test('on() returns a function that stops listening; off() does the same', async () => {
  const widget = harness.widget()
  let opens = 0
  let closes = 0
  const stop = widget.on('open', () => opens++)
  const onClose = () => closes++
  widget.on('close', onClose)

  stop()
  widget.off('close', onClose)
  // Never added: off() leaves it out.
  widget.off('open', () => opens++)
  widget.open()
  widget.close()

  expect([opens, closes]).toEqual([0, 0])
})

test('a listener that throws does not keep the event from the others, and its error still surfaces', async () => {
  const widget = harness.widget()
  const bug = new Error('a bug in the page')
  const heard: string[] = []
  widget.on('open', () => heard.push('first'))
  widget.on('open', () => {
    throw bug
  })
  widget.on('open', () => heard.push('last'))
  vi.useFakeTimers({ toFake: ['setTimeout'] })
  try {
    expect(() => widget.open()).not.toThrow()
    expect(heard).toEqual(['first', 'last'])
    // Reported as an uncaught error a moment later (the page's error tracking sees it).
    expect(() => vi.runOnlyPendingTimers()).toThrow(bug)
  } finally {
    vi.useRealTimers()
  }
})

test("'session-started' carries the new session", async () => {
  const { widget } = await openSignedIn(harness)
  const events = record(widget)

  const id = await startSession(widget, 'Hydration mismatch on every page')

  const started = events.filter(([name]) => name === 'session-started')
  expect(started).toHaveLength(1)
  expect(started[0]?.[1]).toMatchObject({
    session: { id, topic: 'Hydration mismatch on every page', status: 'waiting' },
  })
})

test("'session-closed' fires once when the builder ends the session", async () => {
  const { widget } = await openSignedIn(harness)
  const { id, handle } = await activeSession(harness, widget)
  await connected(widget)
  const events = record(widget)

  await handle.close()
  await screen.findByText('Session ended')
  fireEvent.click(screen.getByRole('button', { name: 'How did it go?' }))
  fireEvent.click(await screen.findByRole('radio', { name: '5 of 5' }))
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  await screen.findByRole('heading', { name: 'Thank you!' })

  const closed = events.filter(([name]) => name === 'session-closed')
  expect(closed).toHaveLength(1)
  expect(closed[0]?.[1]).toMatchObject({ session: { id, status: 'closed' } })
})

test("'session-closed' fires when the user cancels while waiting", async () => {
  const { widget } = await openSignedIn(harness)
  await connected(widget)
  const events = record(widget)
  const id = await startSession(widget)

  fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))

  await waitFor(() => expect(names(events)).toContain('session-closed'))
  expect(events.find(([name]) => name === 'session-closed')?.[1]).toMatchObject({
    session: { id, status: 'cancelled' },
  })
})

test("'unread' counts builder replies while the chat is not on screen, then resets to 0", async () => {
  const { widget } = await openSignedIn(harness)
  const { handle } = await activeSession(harness, widget)
  await connected(widget)
  const events = record(widget)
  await act(() => widget.close())

  await handle.send('One')
  await handle.send('Two')
  await waitFor(() => expect(widget.unread.value).toBe(2))
  await act(() => widget.open())
  await screen.findByText('Two')

  await waitFor(() =>
    expect(events.filter(([name]) => name === 'unread').map(([, payload]) => payload)).toEqual([
      { count: 1 },
      { count: 2 },
      { count: 0 },
    ]),
  )
})

test("a refused identity token rejects identify() and fires 'error'", async () => {
  const widget = harness.widget()
  const events = record(widget)

  const token = await signIdentityToken({ sub: 'vendor-user-1' }, { secret: 'not-the-app-secret' })
  await expect(widget.identify({ token })).rejects.toMatchObject({ code: 'unauthorized' })

  const errors = events.filter(([name]) => name === 'error').map(([, error]) => error as SuportraError)
  expect(errors.map((error) => error.code)).toEqual(['unauthorized'])
  expect(widget.client.$user.get()).toBeNull()
})

test('identify() with a token signed by the vendor signs the user in, skipping the sign-in form', async () => {
  const widget = harness.widget()
  renderWidget(widget)
  const token = await signIdentityToken({
    sub: `vendor-${Date.now()}`,
    name: 'Lin',
    email: 'lin@example.com',
  })

  await widget.identify({ token })
  await openPanel(widget)

  expect(await screen.findByRole('heading', { name: 'What are you stuck on?' })).toBeTruthy()
  expect(screen.queryByRole('heading', { name: 'Sign in to talk to a builder' })).toBeNull()
})

test('signOut() returns the panel to the sign-in form', async () => {
  const { widget } = await openSignedIn(harness)

  fireEvent.click(screen.getByRole('button', { name: 'Sign out' }))

  expect(await screen.findByRole('heading', { name: 'Sign in to talk to a builder' })).toBeTruthy()
  expect(widget.client.$user.get()).toBeNull()
})

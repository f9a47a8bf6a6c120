import { act, fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test } from 'vitest'
import {
  activeSession,
  connected,
  offlineWidget,
  openSignedIn,
  renderWidget,
  setupServer,
} from '../../test/helpers.js'

const harness = setupServer()

const launcher = () => screen.getByRole('button', { name: /^Ask a human/ })

test('shows "Ask a human", or the vendor\'s label', () => {
  renderWidget(offlineWidget())
  expect(launcher().textContent).toBe('Ask a human')
  expect(launcher().getAttribute('aria-haspopup')).toBe('dialog')
  expect(launcher().querySelector('.badge')).toBeNull()
})

test("the vendor's label replaces the default one", () => {
  renderWidget(offlineWidget({ theme: { launcherLabel: 'Get unstuck' } }))
  expect(screen.getByRole('button', { name: 'Get unstuck' })).toBeTruthy()
  expect(screen.queryByText('Ask a human')).toBeNull()
})

test('clicking toggles the panel, and aria-expanded follows', async () => {
  renderWidget(offlineWidget())
  expect(launcher().getAttribute('aria-expanded')).toBe('false')
  expect(screen.queryByRole('dialog')).toBeNull()

  fireEvent.click(launcher())
  expect(await screen.findByRole('dialog')).toBeTruthy()
  expect(launcher().getAttribute('aria-expanded')).toBe('true')

  fireEvent.click(launcher())
  await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
  expect(launcher().getAttribute('aria-expanded')).toBe('false')
})

test('with launcher: false there is no launcher, and open() still shows the panel', async () => {
  const widget = offlineWidget({ launcher: false })
  renderWidget(widget)
  expect(screen.queryByRole('button', { name: /Ask a human/ })).toBeNull()
  await act(() => widget.open())
  expect(screen.getByRole('dialog')).toBeTruthy()
})

test('builder replies while the panel is closed show as an unread count, cleared by opening the chat', async () => {
  const { widget } = await openSignedIn(harness)
  const { handle } = await activeSession(harness, widget)
  await connected(widget)
  fireEvent.click(launcher())
  await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())

  await handle.send('First')
  await handle.send('Second')

  await waitFor(() => expect(launcher().querySelector('.badge')?.textContent).toBe('2'))
  expect(launcher().getAttribute('aria-label')).toBe('Ask a human, 2 unread')
  // The badge is decoration; the count is read out through the label.
  expect(launcher().querySelector('.badge')?.getAttribute('aria-hidden')).toBe('true')

  fireEvent.click(launcher())
  await screen.findByText('Second')
  await waitFor(() => expect(launcher().querySelector('.badge')).toBeNull())
  expect(launcher().getAttribute('aria-label')).toBeNull()
  expect(launcher().textContent).toBe('Ask a human')
})

test('replies read while the chat is on screen do not count as unread', async () => {
  const { widget } = await openSignedIn(harness)
  const { handle } = await activeSession(harness, widget)

  await handle.send('You are looking at this')
  await screen.findByText('You are looking at this')

  expect(widget.unread.value).toBe(0)
  expect(launcher().querySelector('.badge')).toBeNull()
})

test('unread uses the vendor label too', async () => {
  const { widget } = await openSignedIn(harness, 3, { theme: { launcherLabel: 'Help' } })
  const { handle } = await activeSession(harness, widget)
  await connected(widget)
  fireEvent.click(screen.getByRole('button', { name: 'Help' }))

  await handle.send('Ping')

  expect(await screen.findByRole('button', { name: 'Help, 1 unread' })).toBeTruthy()
})

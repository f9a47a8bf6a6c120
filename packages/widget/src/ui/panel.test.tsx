import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { afterEach, expect, test } from 'vitest'
import { offlineWidget, renderWidget } from '../../test/helpers.js'

afterEach(cleanup)

const launcher = () => screen.getByRole('button', { name: 'Ask a human' })

/** Opens with the launcher the way a user does: focus it, then click. */
async function openFromLauncher() {
  const widget = offlineWidget()
  renderWidget(widget)
  launcher().focus()
  fireEvent.click(launcher())
  return { widget, dialog: await screen.findByRole('dialog') }
}

const focusables = (dialog: HTMLElement) =>
  [
    ...dialog.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], [tabindex="0"]'),
  ].filter((el) => !(el as HTMLButtonElement).disabled)

test('is a modal dialog named by its title', async () => {
  const { dialog } = await openFromLauncher()
  expect(screen.getByRole('dialog', { name: 'Talk to a builder' })).toBe(dialog)
  expect(dialog.getAttribute('aria-modal')).toBe('true')
  expect(within(dialog).getByRole('button', { name: 'Close' })).toBeTruthy()
})

test('focus moves into the panel when it opens', async () => {
  const { dialog } = await openFromLauncher()
  await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByLabelText('Email')))
})

test('Escape closes the panel and focus goes back to the launcher', async () => {
  const { widget, dialog } = await openFromLauncher()

  fireEvent.keyDown(within(dialog).getByLabelText('Email'), { key: 'Escape' })

  await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
  expect(widget.isOpen.value).toBe(false)
  expect(launcher().getAttribute('aria-expanded')).toBe('false')
  expect(document.activeElement).toBe(launcher())
})

test('Escape does not reach the host page', async () => {
  const { dialog } = await openFromLauncher()
  let reached = false
  const listener = () => {
    reached = true
  }
  document.addEventListener('keydown', listener)
  fireEvent.keyDown(within(dialog).getByLabelText('Email'), { key: 'Escape' })
  document.removeEventListener('keydown', listener)
  expect(reached).toBe(false)
})

test('the close button closes the panel and focus goes back to the launcher', async () => {
  const { dialog } = await openFromLauncher()
  fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }))
  await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
  expect(document.activeElement).toBe(launcher())
})

test('Tab from the last control wraps to the first, Shift+Tab from the first to the last', async () => {
  const { dialog } = await openFromLauncher()
  const items = focusables(dialog)
  const first = items[0] as HTMLElement
  const last = items.at(-1) as HTMLElement
  expect(items.length).toBeGreaterThan(2)

  last.focus()
  const tabbed = fireEvent.keyDown(last, { key: 'Tab' })
  expect(tabbed).toBe(false)
  expect(document.activeElement).toBe(first)

  first.focus()
  const backTabbed = fireEvent.keyDown(first, { key: 'Tab', shiftKey: true })
  expect(backTabbed).toBe(false)
  expect(document.activeElement).toBe(last)
})

test('Tab between two inner controls is left to the browser', async () => {
  const { dialog } = await openFromLauncher()
  const [first] = focusables(dialog)
  first?.focus()
  expect(fireEvent.keyDown(first as HTMLElement, { key: 'Tab' })).toBe(true)
  expect(document.activeElement).toBe(first)
})

test('opened by the vendor (no launcher), the panel still takes focus and closes on Escape', async () => {
  const widget = offlineWidget({ launcher: false })
  renderWidget(widget)
  await act(() => widget.open())
  const dialog = screen.getByRole('dialog')
  await waitFor(() => expect(dialog.contains(document.activeElement)).toBe(true))
  fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'Escape' })
  await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
})

test("when a screen change removes the focused button, focus moves to the new screen's heading (once its part has loaded), not the page or the panel's title", async () => {
  const { dialog } = await openFromLauncher()
  const audit = within(dialog).getByRole('button', { name: 'Free stack audit' })
  audit.focus()
  fireEvent.click(audit)
  await waitFor(() =>
    expect(document.activeElement).toBe(within(dialog).getByRole('heading', { name: 'Free stack audit' })),
  )
})

test('while the panel is closed, a status region says who wrote and how many are unread', async () => {
  const widget = offlineWidget()
  renderWidget(widget)
  const status = () => screen.getAllByRole('status').find((el) => el.classList.contains('sr'))
  expect(status()?.textContent).toBe('')
  act(() => {
    widget.unreadFrom.value = 'Grace Hopper'
    widget.unread.value = 1
  })
  expect(status()?.textContent).toBe('New message from Grace Hopper (1 unread)')
  fireEvent.click(screen.getByRole('button', { name: 'Ask a human, 1 unread' }))
  await screen.findByRole('dialog')
  expect(status()?.textContent).toBe('')
})

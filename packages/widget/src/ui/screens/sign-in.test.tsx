import { createServer } from 'node:net'
import { fireEvent, screen, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import { DEMO, openPanel, renderWidget, setupServer, type } from '../../../test/helpers.js'

const harness = setupServer()

/** A local port nothing listens on: the server is down. */
async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

async function submitSignIn(email: string, password: string) {
  type(screen.getByLabelText('Email'), email)
  type(screen.getByLabelText('Password'), password)
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))
}

test('a signed-out user sees the sign-in form first, with the audit one click away', async () => {
  const widget = harness.widget()
  renderWidget(widget)
  const dialog = await openPanel(widget)

  expect(within(dialog).getByRole('heading', { name: 'Sign in to talk to a builder' })).toBeTruthy()
  expect(within(dialog).getByLabelText('Email').getAttribute('type')).toBe('email')
  expect(within(dialog).getByLabelText('Password').getAttribute('type')).toBe('password')
  expect(within(dialog).getByRole('button', { name: 'Free stack audit' })).toBeTruthy()
})

test('signing in with the right password leads to the new session screen', async () => {
  const widget = harness.widget()
  renderWidget(widget)
  await openPanel(widget)

  await submitSignIn(DEMO.user.email, DEMO.user.password)

  expect(await screen.findByRole('heading', { name: 'What are you stuck on?' })).toBeTruthy()
  expect(widget.client.$user.get()?.email).toBe(DEMO.user.email)
  expect(screen.queryByRole('alert')).toBeNull()
})

test('a wrong password shows the "do not match" alert and keeps the form', async () => {
  const widget = harness.widget()
  renderWidget(widget)
  await openPanel(widget)

  await submitSignIn(DEMO.user.email, 'not-the-password')

  const alert = await screen.findByRole('alert')
  expect(alert.textContent).toBe('That email and password do not match.')
  expect(widget.client.$user.get()).toBeNull()
  expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe(DEMO.user.email)
  // The button is usable again for a second try.
  expect((screen.getByRole('button', { name: 'Sign in' }) as HTMLButtonElement).disabled).toBe(false)
})

test('the alert clears when a second attempt succeeds', async () => {
  const widget = harness.widget()
  renderWidget(widget)
  await openPanel(widget)
  await submitSignIn(DEMO.user.email, 'not-the-password')
  await screen.findByRole('alert')

  await submitSignIn(DEMO.user.email, DEMO.user.password)

  await screen.findByRole('heading', { name: 'What are you stuck on?' })
  expect(screen.queryByRole('alert')).toBeNull()
})

test('when the server is down the user is told it cannot be reached', async () => {
  const widget = harness.widget({ baseUrl: `http://127.0.0.1:${await closedPort()}` })
  renderWidget(widget)
  await openPanel(widget)

  await submitSignIn(DEMO.user.email, DEMO.user.password)

  const alert = await screen.findByRole('alert')
  expect(alert.textContent).toBe('Suportra cannot be reached right now.')
  expect(widget.client.$user.get()).toBeNull()
})

test('the submit button is disabled while signing in, so a double click sends once', async () => {
  const widget = harness.widget()
  renderWidget(widget)
  await openPanel(widget)

  await submitSignIn(DEMO.user.email, DEMO.user.password)

  expect((screen.getByRole('button', { name: 'Sign in' }) as HTMLButtonElement).disabled).toBe(true)
  await screen.findByRole('heading', { name: 'What are you stuck on?' })
})

import { memoryStorage } from '@suportra/client'
import { signIdentityToken } from '@suportra/server/testing'
import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import WebSocket from 'ws'
import { DEMO, openPanel, renderWidget, setupServer, type } from '../../../test/helpers.js'
import { mount } from '../../mount.js'

const harness = setupServer({
  rateLimits: { passwordResetsPerEmail: { points: 100, duration: 60 } },
})

let counter = 0
const fresh = () => `widget-accounts-${Date.now().toString(36)}-${++counter}@example.com`

/** The token of the newest reset link emailed to `to` (queued just after the server answered). */
async function emailedToken(to: string): Promise<string> {
  const { db } = harness.server.current.context.store
  let token: string | undefined
  await waitFor(
    async () => {
      const rows = await db.selectFrom('emails').select('body').where('to_address', '=', to).execute()
      token = rows.at(-1)?.body.match(/#suportra-reset=([\w-]+)/)?.[1]
      expect(token).toBeTruthy()
    },
    { timeout: 5_000 },
  )
  return token as string
}

async function signedOutPanel(appId: string = DEMO.appId) {
  const widget = harness.widget({ appId })
  renderWidget(widget)
  const dialog = await openPanel(widget)
  await screen.findByRole('heading', { name: 'Sign in to talk to a builder' })
  return { widget, dialog }
}

test('on a password app, sign-in offers "Create an account" and "Forgot password?"', async () => {
  const { dialog } = await signedOutPanel()
  expect(await within(dialog).findByRole('button', { name: 'Create an account' })).toBeTruthy()
  expect(within(dialog).getByRole('button', { name: 'Forgot password?' })).toBeTruthy()
})

test('on an app that takes identity tokens only, neither is offered', async () => {
  const app = await harness.server.current.context.apps.create({
    name: 'Identity only',
    allowedOrigins: ['http://localhost:*'],
    identityRequired: true,
  })
  const { widget, dialog } = await signedOutPanel(app.id)
  // The answer about the app's sign-in methods has come back (and said "no passwords").
  await waitFor(async () => expect((await widget.client.auth.methods()).password).toBe(false))
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(within(dialog).queryByRole('button', { name: 'Create an account' })).toBeNull()
  expect(within(dialog).queryByRole('button', { name: 'Forgot password?' })).toBeNull()
})

test('creating an account (with the 16+ confirmation) signs in and leads to the new session form', async () => {
  const { widget, dialog } = await signedOutPanel()
  fireEvent.click(await within(dialog).findByRole('button', { name: 'Create an account' }))
  await screen.findByRole('heading', { name: 'Create an account' })
  const email = fresh()
  type(screen.getByLabelText('Name'), 'Hedy Lamarr')
  type(screen.getByLabelText('Email'), email)
  type(screen.getByLabelText('Password'), 'frequency-hopping')
  const adult = screen.getByRole('checkbox', { name: 'I am 16 or older' }) as HTMLInputElement
  expect(adult.required).toBe(true)
  fireEvent.click(adult)
  fireEvent.click(screen.getByRole('button', { name: 'Create an account' }))
  expect(await screen.findByRole('heading', { name: 'What are you stuck on?' })).toBeTruthy()
  expect(widget.client.$user.get()).toMatchObject({ name: 'Hedy Lamarr', email })
  const row = await harness.server.current.context.store.db
    .selectFrom('users')
    .select('age_confirmed_at')
    .where('login_email', '=', email)
    .executeTakeFirstOrThrow()
  expect(row.age_confirmed_at).toEqual(expect.any(Number))
})

test('an email already taken says so', async () => {
  const { dialog } = await signedOutPanel()
  fireEvent.click(await within(dialog).findByRole('button', { name: 'Create an account' }))
  type(await screen.findByLabelText('Name'), 'Copy Cat')
  type(screen.getByLabelText('Email'), DEMO.user.email)
  type(screen.getByLabelText('Password'), 'long-enough-password')
  fireEvent.click(screen.getByRole('checkbox', { name: 'I am 16 or older' }))
  fireEvent.click(screen.getByRole('button', { name: 'Create an account' }))
  expect((await screen.findByRole('alert')).textContent).toBe('An account already uses this email.')
})

test('"Forgot password?" sends a link and says the same whether or not the address has an account', async () => {
  const user = await harness.user()
  for (const email of [user.email, 'nobody-here@example.com']) {
    const { dialog } = await signedOutPanel()
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Forgot password?' }))
    type(await screen.findByLabelText('Email'), email)
    fireEvent.click(screen.getByRole('button', { name: 'Email me a link' }))
    const said = await screen.findByText(
      `If an account uses \u2068${email}\u2069, a link is on its way. It works for 30 minutes.`,
    )
    expect(said.getAttribute('role')).toBe('status')
    document.body.replaceChildren()
  }
  // The link opens the page the widget is on, with the token in the fragment.
  expect(await emailedToken(user.email)).toBeTruthy()
  const [sent] = await harness.server.current.context.store.db
    .selectFrom('emails')
    .select('body')
    .where('to_address', '=', user.email)
    .execute()
  expect(sent?.body).toContain(`${location.origin}${location.pathname}#suportra-reset=`)
})

test('a page opened from the reset link opens the widget on "choose a new password", takes the token out of the address, and signs in', async () => {
  const user = await harness.user()
  await harness.widget().client.auth.requestPasswordReset({ email: user.email })
  const token = await emailedToken(user.email)
  history.replaceState(null, '', `/app?tab=1#suportra-reset=${token}`)
  const instance = mount({
    baseUrl: harness.server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
  })
  harness.defer(() => instance.destroy())
  const root = within(document.querySelector('suportra-widget')?.shadowRoot as unknown as HTMLElement)

  expect(await root.findByRole('heading', { name: 'Choose a new password' })).toBeTruthy()
  expect(location.hash).toBe('')
  expect(location.pathname + location.search).toBe('/app?tab=1')
  type(root.getByLabelText('Password'), 'a-fresh-password')
  fireEvent.click(root.getByRole('button', { name: 'Save and sign in' }))
  expect(await root.findByRole('heading', { name: 'What are you stuck on?' })).toBeTruthy()
  expect(instance.client.$user.get()?.email).toBe(user.email)
  await harness.widget().client.auth.signIn({ email: user.email, password: 'a-fresh-password' })
})

test('a used link says so, and offers to ask for a new one', async () => {
  const user = await harness.user()
  await harness.widget().client.auth.requestPasswordReset({ email: user.email })
  const token = await emailedToken(user.email)
  await harness.widget().client.auth.resetPassword({ token, password: 'first-new-password' })
  history.replaceState(null, '', `/#suportra-reset=${token}`)
  const widget = harness.widget()
  widget.show({ name: 'account', step: 'reset' })
  renderWidget(widget)
  await openPanel(widget)
  await screen.findByRole('heading', { name: 'Choose a new password' })
  type(screen.getByLabelText('Password'), 'second-new-password')
  fireEvent.click(screen.getByRole('button', { name: 'Save and sign in' }))
  expect((await screen.findByRole('alert')).textContent).toBe('This link has expired or was already used.')
  fireEvent.click(screen.getByRole('button', { name: 'Ask for a new link' }))
  expect(await screen.findByRole('button', { name: 'Email me a link' })).toBeTruthy()
})

test('the account screen edits the name and email, confirmed with the password', async () => {
  const account = await harness.user()
  const widget = harness.widget()
  await widget.client.auth.signIn({ email: account.email, password: account.password })
  renderWidget(widget)
  await openPanel(widget)
  widget.show({ name: 'account' })
  fireEvent.click(await screen.findByRole('button', { name: 'Edit name and email' }))
  expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Test User')
  expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe(account.email)
  const email = fresh()
  type(screen.getByLabelText('Name'), 'Renamed User')
  type(screen.getByLabelText('Email'), email)
  type(screen.getByLabelText('Your current password'), 'not-my-password')
  fireEvent.click(screen.getByRole('button', { name: 'Save' }))
  expect((await screen.findByRole('alert')).textContent).toBe('That is not your current password.')
  type(screen.getByLabelText('Your current password'), account.password)
  fireEvent.click(screen.getByRole('button', { name: 'Save' }))
  expect((await screen.findByText('Saved.')).getAttribute('role')).toBe('status')
  expect(screen.getByText('Renamed User')).toBeTruthy()
  expect(screen.getByText(email)).toBeTruthy()
  expect(widget.client.$user.get()).toMatchObject({ name: 'Renamed User', email })
})

test('a vendor-managed account is not offered the edit', async () => {
  const widget = harness.widget()
  await widget.client.auth.identify({
    token: await signIdentityToken({
      sub: 'widget-managed',
      name: 'Vendor Vic',
      email: 'vic@vendor.example',
    }),
  })
  renderWidget(widget)
  await openPanel(widget)
  widget.show({ name: 'account' })
  expect(await screen.findByRole('button', { name: 'Download my data' })).toBeTruthy()
  expect(screen.getByText('Vendor Vic')).toBeTruthy()
  expect(screen.queryByRole('button', { name: 'Edit name and email' })).toBeNull()
})

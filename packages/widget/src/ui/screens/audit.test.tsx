import { fireEvent, screen } from '@testing-library/preact'
import { expect, test } from 'vitest'
import {
  controlledFetch,
  openPanel,
  openSignedIn,
  renderWidget,
  setupServer,
  type,
} from '../../../test/helpers.js'

// Each file gets a fresh server; allow more than the production 5 audits an hour from one address.
const harness = setupServer({ rateLimits: { auditsPerIp: { points: 100, duration: 3600 } } })

const storedAudits = () => harness.server.current.context.store.db.selectFrom('audits').selectAll().execute()

/** Opens the audit from the signed-out sign-in screen. */
async function openAudit(options: { fetch?: typeof fetch } = {}) {
  const widget = harness.widget(options)
  renderWidget(widget)
  await openPanel(widget)
  fireEvent.click(screen.getByRole('button', { name: 'Free stack audit' }))
  await screen.findByRole('heading', { name: 'Free stack audit' })
  return widget
}

function fill(email: string) {
  type(screen.getByRole('textbox', { name: 'Email' }), email)
  type(screen.getByRole('textbox', { name: 'What are you building?' }), 'A SaaS for dentists')
  type(screen.getByRole('textbox', { name: 'Tools you use' }), 'Cursor, v0 ,')
  type(screen.getByRole('textbox', { name: 'Blockers (optional)' }), 'Auth keeps breaking')
}

test('the audit needs no sign-in: it is sent and the user is thanked', async () => {
  const widget = await openAudit()
  expect(screen.getByText(/No sign-in needed/)).toBeTruthy()
  const email = `founder-${Date.now()}@example.com`

  fill(email)
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))

  expect(await screen.findByRole('heading', { name: 'Thanks! We will email you.' })).toBeTruthy()
  expect(widget.client.$user.get()).toBeNull()
  const audit = (await storedAudits()).find((row) => row.email === email)
  expect(audit).toMatchObject({ building: 'A SaaS for dentists', blockers: 'Auth keeps breaking' })
  expect(JSON.parse(audit?.tools ?? '[]')).toEqual(['Cursor', 'v0'])
})

test('Back returns from the audit to the sign-in', async () => {
  await openAudit()
  fireEvent.click(screen.getByRole('button', { name: 'Back' }))
  expect(await screen.findByRole('heading', { name: 'Sign in to talk to a builder' })).toBeTruthy()
})

test('for a signed-in user the email is filled in', async () => {
  const { account } = await openSignedIn(harness)
  fireEvent.click(screen.getByRole('button', { name: 'Free stack audit' }))
  const field = (await screen.findByRole('textbox', { name: 'Email' })) as HTMLInputElement
  expect(field.value).toBe(account.email)
})

test('a malformed email is stopped by the form: nothing is sent', async () => {
  const network = controlledFetch()
  await openAudit({ fetch: network.fetch })

  fill('not-an-email')
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))

  expect((screen.getByRole('textbox', { name: 'Email' }) as HTMLInputElement).validity.valid).toBe(false)
  expect(network.requests.filter((r) => r.path === '/v1/audits')).toEqual([])
  expect(screen.getByRole('heading', { name: 'Free stack audit' })).toBeTruthy()
})

test('an email the server refuses shows an alert that points at the email', async () => {
  await openAudit()

  fill('founder@localhost') // valid for the browser, refused by the server
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))

  const alert = await screen.findByRole('alert')
  expect(alert.textContent).toMatch(/email/i)
  expect(screen.getByRole('heading', { name: 'Free stack audit' })).toBeTruthy()
  expect((await storedAudits()).filter((row) => row.email === 'founder@localhost')).toEqual([])
})

test('when the server is down the user is told so, and can send again', async () => {
  const network = controlledFetch()
  await openAudit({ fetch: network.fetch })
  fill(`retry-${Date.now()}@example.com`)

  network.down = true
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  expect((await screen.findByRole('alert')).textContent).toBe('Suportra cannot be reached right now.')

  network.down = false
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  expect(await screen.findByRole('heading', { name: 'Thanks! We will email you.' })).toBeTruthy()
})

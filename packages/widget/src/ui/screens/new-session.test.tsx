import { api } from '@suportra/server/testing'
import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import {
  type Account,
  connected,
  openPanel,
  openSignedIn,
  realtimeGate,
  renderWidget,
  setupServer,
  startSession,
  type,
} from '../../../test/helpers.js'

const harness = setupServer()

/** Sessions the server holds for `account`. */
const storedSessions = async (account: Account) =>
  (await api(harness.server.url, 'GET', '/v1/sessions', { token: account.token })).body.sessions as {
    id: string
    status: string
    tool: string
    topic: string
    context: unknown
  }[]

/** Started sessions would wait in the shared queue; cancel them so positions stay predictable. */
const cancelAfterTest = (account: Account, id: string) =>
  harness.defer(() =>
    api(harness.server.url, 'POST', `/v1/sessions/${id}/cancel`, { token: account.token, body: {} }),
  )

const toolSelect = () => screen.getByRole('combobox', { name: 'Tool' }) as HTMLSelectElement
const topicField = () => screen.getByRole('textbox', { name: 'Describe the blocker' }) as HTMLTextAreaElement

test('the tools load from the server, the first one selected', async () => {
  await openSignedIn(harness)

  await screen.findByRole('option', { name: 'Cursor' })
  const names = within(toolSelect())
    .getAllByRole('option')
    .map((option) => option.textContent)
  expect(names).toEqual(expect.arrayContaining(['Cursor', 'Claude Code', 'Lovable', 'Bolt', 'v0']))
  expect(toolSelect().value).toBe('cursor')
})

test('shows what a session costs and the balance', async () => {
  await openSignedIn(harness, 3)

  expect(await screen.findByText('Session cost: 1 · Your credits: 3')).toBeTruthy()
  // The header shows the balance too.
  expect(await screen.findByText('3 ◆')).toBeTruthy()
})

test('open({ tool, topic, context }) prefills the form and shows what will be shared', async () => {
  const account = await harness.user()
  const widget = harness.widget()
  await widget.client.auth.signIn({ email: account.email, password: account.password })
  renderWidget(widget)
  const context = { url: 'http://localhost:3000/checkout', error: 'TypeError: x is undefined' }
  await openPanel(widget, { tool: 'claude-code', topic: 'Checkout crashes', context })

  await screen.findByRole('option', { name: 'Claude Code' })
  await waitFor(() => expect(toolSelect().value).toBe('claude-code'))
  expect(topicField().value).toBe('Checkout crashes')

  // The builder's reading order (the error first), each part with what exactly will be sent.
  const card = await screen.findByRole('group', { name: 'Shared with the builder' })
  const terms = [...card.querySelectorAll('dt')].map((dt) => dt.firstChild?.textContent)
  expect(terms).toEqual(['Error', 'Page'])
  expect(card.textContent).toContain(context.url)
  await waitFor(() => expect(card.querySelector('pre')?.textContent).toBe(context.error))

  // Starting sends the tool, topic and context to the server.
  const id = await startSession(widget, 'Checkout crashes on submit')
  cancelAfterTest(account, id)
  const [stored] = await storedSessions(account)
  expect(stored).toMatchObject({ id, tool: 'claude-code', topic: 'Checkout crashes on submit', context })
})

test('open({ tool, topic, context }) while the form is on screen fills it in, over what was there', async () => {
  const { widget, account } = await openSignedIn(harness)
  await screen.findByRole('option', { name: 'Cursor' })
  type(topicField(), 'my own words')

  await openPanel(widget, { tool: 'v0', topic: 'Hydration error', context: { error: 'Hydration failed' } })

  await waitFor(() => expect(topicField().value).toBe('Hydration error'))
  expect(toolSelect().value).toBe('v0')
  expect((await screen.findByRole('group', { name: 'Shared with the builder' })).textContent).toContain(
    'Hydration failed',
  )
  // And again: each open with options wins.
  await openPanel(widget, { topic: 'Second try' })
  await waitFor(() => expect(topicField().value).toBe('Second try'))
  expect(toolSelect().value).toBe('v0')
  const id = await startSession(widget, 'Second try')
  cancelAfterTest(account, id)
  expect((await storedSessions(account))[0]).toMatchObject({ tool: 'v0', topic: 'Second try' })
})

test('without a context no context card is shown', async () => {
  await openSignedIn(harness)
  await screen.findByRole('option', { name: 'Cursor' })
  expect(screen.queryByRole('group', { name: 'Shared with the builder' })).toBeNull()
})

test('setContext() before opening shows that context too', async () => {
  const account = await harness.user()
  const widget = harness.widget()
  await widget.client.auth.signIn({ email: account.email, password: account.password })
  widget.setContext({ file: 'src/app.tsx' })
  renderWidget(widget)
  await openPanel(widget)

  const card = await screen.findByRole('group', { name: 'Shared with the builder' })
  expect(card.querySelector('dd')?.textContent).toBe('src/app.tsx')
})

test('with too few credits the form says why and Start is disabled; "Buy credits" shows once, and nothing says "running low"', async () => {
  const { widget, account } = await openSignedIn(harness, 0)

  const warning = await screen.findByText('Not enough credits: the session costs 1, your balance is 0.')
  expect(warning.getAttribute('class')).toContain('error')

  await screen.findByRole('option', { name: 'Cursor' })
  type(topicField(), 'Deploy fails')
  const start = screen.getByRole('button', { name: 'Start session' }) as HTMLButtonElement
  expect(start.disabled).toBe(true)
  fireEvent.click(start)

  await waitFor(() => expect(widget.pricing.value).toBeDefined())
  expect(screen.queryByText('You are running low on credits.')).toBeNull()
  expect(screen.getAllByRole('button', { name: 'Buy credits' })).toHaveLength(1)
  expect(screen.getByRole('heading', { name: 'What are you stuck on?' })).toBeTruthy()
  expect(await storedSessions(account)).toEqual([])
})

test('with enough for one session the panel says "running low", once, and Start works', async () => {
  const { widget } = await openSignedIn(harness, 1)
  await waitFor(() => expect(widget.pricing.value).toBeDefined())
  expect(await screen.findByText('You are running low on credits.')).toBeTruthy()
  expect(screen.getAllByRole('button', { name: 'Buy credits' })).toHaveLength(1)
  expect((screen.getByRole('button', { name: 'Start session' }) as HTMLButtonElement).disabled).toBe(false)
})

test('starting shows the chat with the waiting banner and the queue position', async () => {
  const { widget, account } = await openSignedIn(harness, 3)

  const id = await startSession(widget, 'Supabase auth redirect loops')
  cancelAfterTest(account, id)

  const banner = screen.getByText('Waiting for a builder').closest('[role="status"]') as HTMLElement
  expect(within(banner).getByText('You are #1 in the queue')).toBeTruthy()
  expect(within(banner).getByRole('button', { name: 'Cancel' })).toBeTruthy()
  expect(screen.getByText('Supabase auth redirect loops')).toBeTruthy()
  expect(await screen.findByText('Session started')).toBeTruthy()
  expect(await storedSessions(account)).toMatchObject([{ id, status: 'waiting' }])
})

test('starting holds the cost: the balance shown drops by one', async () => {
  const { widget, account } = await openSignedIn(harness, 3)
  await connected(widget)

  cancelAfterTest(account, await startSession(widget))

  expect(await screen.findByText('2 ◆')).toBeTruthy()
})

test('the balance shown is right even when the session starts before realtime is connected', async () => {
  // A slow network: HTTP works, the realtime socket is still connecting when the session starts.
  const slow = realtimeGate()
  slow.hold()
  const { widget, account } = await openSignedIn(harness, 3, { WebSocket: slow.WebSocket })

  cancelAfterTest(account, await startSession(widget))
  slow.release()
  await connected(widget)

  expect(await screen.findByText('2 ◆')).toBeTruthy()
})

test('a second waiting user sees their place behind the first', async () => {
  const first = await harness.user()
  const { id: firstId } = (
    await api(harness.server.url, 'POST', '/v1/sessions', {
      token: first.token,
      body: { tool: 'cursor', topic: 'First in line' },
    })
  ).body.session
  cancelAfterTest(first, firstId)
  const { widget, account } = await openSignedIn(harness, 3)

  const id = await startSession(widget)
  cancelAfterTest(account, id)

  expect(screen.getByText('You are #2 in the queue')).toBeTruthy()
})

test('each part of the context can be removed before starting; only the rest is sent', async () => {
  const account = await harness.user()
  const widget = harness.widget()
  await widget.client.auth.signIn({ email: account.email, password: account.password })
  renderWidget(widget)
  const context = {
    url: 'http://localhost:3000/app',
    file: { path: 'src/db.ts', language: 'ts', content: 'export const db = connect()' },
    diff: '@@ -1 +1 @@\n-const a = 1\n+const a = 2',
  }
  await openPanel(widget, { tool: 'cursor', topic: 'DB connection', context })
  await screen.findByRole('option', { name: 'Cursor' })
  fireEvent.click(await screen.findByRole('button', { name: 'Remove Diff' }))
  expect(screen.queryByRole('button', { name: 'Remove Diff' })).toBeNull()
  const id = await startSession(widget, 'DB connection refused')
  cancelAfterTest(account, id)
  const [stored] = await storedSessions(account)
  expect(stored?.context).toEqual({ url: context.url, file: context.file })
})

test('a secret in the shared file is caught before starting; "Redact and send" starts with it redacted', async () => {
  const account = await harness.user()
  const widget = harness.widget()
  await widget.client.auth.signIn({ email: account.email, password: account.password })
  renderWidget(widget)
  const file = {
    path: '.env',
    language: 'ini',
    content: 'AWS_ACCESS_KEY_ID=AKIAQYLPMN5HHHFPZAM2\nREGION=eu-west-1',
  }
  await openPanel(widget, { tool: 'cursor', context: { file } })
  await screen.findByRole('option', { name: 'Cursor' })
  type(topicField(), 'Deploy fails')
  fireEvent.click(screen.getByRole('button', { name: 'Start session' }))

  const warning = await screen.findByRole('alertdialog')
  expect(warning.textContent).toContain('aws access key id')
  expect(await storedSessions(account)).toEqual([])

  fireEvent.click(within(warning).getByRole('button', { name: 'Redact and send' }))
  await screen.findByText('Waiting for a builder')
  const [stored] = await storedSessions(account)
  if (stored) cancelAfterTest(account, stored.id)
  expect(stored?.context).toEqual({
    file: { ...file, content: 'AWS_ACCESS_KEY_ID=[redacted aws-access-key-id]\nREGION=eu-west-1' },
  })
})

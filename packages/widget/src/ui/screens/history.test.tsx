import { api, signIn } from '@suportra/server/testing'
import { fireEvent, screen, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import {
  type Account,
  DEMO,
  openPanel,
  openSignedIn,
  renderWidget,
  setupServer,
  transcript,
} from '../../../test/helpers.js'

const harness = setupServer()

/** A past session made through the API: started, and then closed after a reply, or cancelled. */
async function pastSession(account: Account, topic: string, end: 'closed' | 'cancelled', reply = '') {
  const { url } = harness.server
  const { session } = (
    await api(url, 'POST', '/v1/sessions', { token: account.token, body: { tool: 'lovable', topic } })
  ).body
  if (end === 'cancelled') {
    await api(url, 'POST', `/v1/sessions/${session.id}/cancel`, { token: account.token, body: {} })
    return session.id as string
  }
  const { accessToken: builder } = await signIn(url, DEMO.builder.email)
  await api(url, 'POST', `/v1/builder/sessions/${session.id}/claim`, { token: builder, body: {} })
  const message = { id: `m_${Math.random().toString(36).slice(2, 12)}`, text: reply }
  await api(url, 'POST', `/v1/sessions/${session.id}/messages`, { token: builder, body: message })
  await api(url, 'POST', `/v1/sessions/${session.id}/close`, { token: builder, body: {} })
  return session.id as string
}

const openHistory = async () => {
  fireEvent.click(screen.getByRole('button', { name: 'Past sessions' }))
  return screen.findByRole('heading', { name: 'Past sessions' })
}

test('with no past sessions the history says so', async () => {
  await openSignedIn(harness)
  await openHistory()
  expect(screen.getByText('No past sessions yet.')).toBeTruthy()
  expect(screen.queryAllByRole('listitem')).toHaveLength(0)
})

test('past sessions are listed newest first, with tool and how they ended', async () => {
  const account = await harness.user(5)
  await pastSession(account, 'Stripe webhook 400s', 'closed', 'Check the signing secret')
  await pastSession(account, 'Never mind', 'cancelled')
  const widget = harness.widget()
  await widget.client.auth.signIn({ email: account.email, password: account.password })
  renderWidget(widget)
  await openPanel(widget)

  await openHistory()
  const rows = await screen.findAllByRole('listitem')
  expect(rows.map((row) => within(row).getByRole('button').querySelector('strong')?.textContent)).toEqual([
    'Never mind',
    'Stripe webhook 400s',
  ])
  expect(rows[0]?.textContent).toContain('lovable · Session cancelled')
  expect(rows[1]?.textContent).toContain('lovable · Session ended')
  expect(screen.queryByText('No past sessions yet.')).toBeNull()
})

test('opening a past session shows its transcript, read-only', async () => {
  const account = await harness.user(5)
  await pastSession(account, 'Stripe webhook 400s', 'closed', 'Check the **signing secret**')
  const widget = harness.widget()
  await widget.client.auth.signIn({ email: account.email, password: account.password })
  renderWidget(widget)
  await openPanel(widget)
  await openHistory()

  fireEvent.click(await screen.findByRole('button', { name: /Stripe webhook 400s/ }))

  const log = await screen.findByRole('log')
  await within(log).findByText('signing secret')
  expect(within(log).getByText('signing secret').tagName).toBe('STRONG')
  expect(
    within(log)
      .getAllByRole('listitem')
      .map((li) => li.textContent),
  ).toEqual([
    'Session started',
    `${DEMO.builder.name} joined`,
    `${DEMO.builder.name}: Check the signing secret`,
    'Session ended',
  ])
  expect(transcript()).toBe(log)
  expect(screen.queryByRole('textbox', { name: 'Write a message' })).toBeNull()
  expect(screen.queryByRole('button', { name: 'End session' })).toBeNull()
  expect(screen.queryByRole('button', { name: 'Send' })).toBeNull()

  fireEvent.click(screen.getByRole('button', { name: 'Back' }))
  expect(await screen.findByRole('heading', { name: 'What are you stuck on?' })).toBeTruthy()
})

import { api } from '@suportra/server/testing'
import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import { activeSession, DEMO, openSignedIn, setupServer } from '../../../test/helpers.js'

const harness = setupServer()

test('the user asks for video, sees its cost, confirms; both sides then have the meeting link', async () => {
  const { widget, account } = await openSignedIn(harness, 3)
  const { id, handle } = await activeSession(harness, widget)
  harness.defer(handle.$session.listen(() => {}))
  // The cost comes from the server's pricing (1 in the demo).
  const offer = await screen.findByRole('button', { name: 'Video call (cost: 1)' })
  fireEvent.click(offer)

  const question = await screen.findByText(
    `Start a video call with ${DEMO.builder.name}? Cost: 1 · Your credits: 2`,
  )
  await waitFor(() => expect(document.activeElement).toBe(question))
  // Nothing is charged before the confirmation.
  expect((await api(harness.server.url, 'GET', '/v1/credits', { token: account.token })).body.balance).toBe(2)
  fireEvent.click(screen.getByRole('button', { name: 'Start video call' }))

  const join = (await screen.findByRole('link', { name: 'Join video' })) as HTMLAnchorElement
  const session = (await api(harness.server.url, 'GET', `/v1/sessions/${id}`, { token: account.token })).body
    .session
  expect(session.kind).toBe('video')
  expect(join.href).toBe(session.meetingUrl)
  expect(join.target).toBe('_blank')
  expect(join.rel).toBe('noopener')
  expect(screen.queryByRole('button', { name: /Video call/ })).toBeNull()
  expect((await api(harness.server.url, 'GET', '/v1/credits', { token: account.token })).body.balance).toBe(1)
  // The builder's side holds the same link.
  await waitFor(() => expect(handle.$session.get()?.meetingUrl).toBe(session.meetingUrl))
})

test('"Not now" closes the question without charging', async () => {
  const { widget, account } = await openSignedIn(harness, 3)
  await activeSession(harness, widget)
  fireEvent.click(await screen.findByRole('button', { name: 'Video call (cost: 1)' }))
  fireEvent.click(await screen.findByRole('button', { name: 'Not now' }))
  await screen.findByRole('button', { name: 'Video call (cost: 1)' })
  expect(screen.queryByRole('button', { name: 'Start video call' })).toBeNull()
  expect((await api(harness.server.url, 'GET', '/v1/credits', { token: account.token })).body.balance).toBe(2)
})

test('without enough credits it says so, cannot start, and offers to buy', async () => {
  // One credit: the session takes it, nothing is left for video.
  const { widget } = await openSignedIn(harness, 1)
  await activeSession(harness, widget)
  fireEvent.click(await screen.findByRole('button', { name: 'Video call (cost: 1)' }))
  const alert = await screen.findByRole('alert')
  expect(alert.textContent).toContain('Not enough credits: video costs 1, your balance is 0.')
  expect((screen.getByRole('button', { name: 'Start video call' }) as HTMLButtonElement).disabled).toBe(true)
  fireEvent.click(within(alert).getByRole('button', { name: 'Buy credits' }))
  await waitFor(() => expect(widget.view.value.name).toBe('credits'))
})

test('a refusal from the server (credits spent elsewhere meanwhile) shows the same message', async () => {
  const { widget, account } = await openSignedIn(harness, 2)
  const { id } = await activeSession(harness, widget)
  fireEvent.click(await screen.findByRole('button', { name: 'Video call (cost: 1)' }))
  await screen.findByRole('button', { name: 'Start video call' })
  // Another tab spends the last credit on a second session; this widget still believes it has one.
  const other = await api(harness.server.url, 'POST', '/v1/sessions', {
    token: account.token,
    body: { tool: 'cursor', topic: 'Another tab' },
  })
  expect(other.status).toBe(201)
  await waitFor(() => expect(widget.client.credits.$balance.get()).toBe(0))
  widget.client.credits.$balance.set(1)
  const start = await screen.findByRole('button', { name: 'Start video call' })
  await waitFor(() => expect((start as HTMLButtonElement).disabled).toBe(false))
  expect(screen.queryByRole('alert')).toBeNull()
  fireEvent.click(start)
  const alert = await screen.findByRole('alert')
  // The balance it shows is the server's, fetched again on the refusal.
  await waitFor(() =>
    expect(alert.textContent).toContain('Not enough credits: video costs 1, your balance is 0.'),
  )
  expect(within(alert).getByRole('button', { name: 'Buy credits' })).toBeTruthy()
  const session = (await api(harness.server.url, 'GET', `/v1/sessions/${id}`, { token: account.token })).body
    .session
  expect(session.kind).toBe('chat')
})

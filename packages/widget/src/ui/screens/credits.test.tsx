import { api } from '@suportra/server/testing'
import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import { openSignedIn, setupServer } from '../../../test/helpers.js'

const harness = setupServer()

test('the balance opens the credits screen: packs with prices, the ledger, and a warning when low', async () => {
  await openSignedIn(harness, 1)
  fireEvent.click(await screen.findByRole('button', { name: 'Credits: 1' }))
  await screen.findByRole('heading', { name: 'Credits: 1' })
  // (The other status region is the widget's own, for announcements while the panel is closed: empty here.)
  expect(screen.getAllByRole('status').map((el) => el.textContent)).toEqual([
    'You are running low on credits.',
    '',
  ])
  const packs = await screen.findAllByRole('button', { name: /conversations/ })
  expect(packs.map((p) => p.textContent)).toEqual([
    '3 conversationsBuy 3 for $29.00',
    '10 conversationsBuy 10 for $89.00',
    '25 conversationsBuy 25 for $199.00',
  ])
  const ledger = await screen.findByText('Gift')
  expect(ledger.closest('li')?.textContent).toContain('+1')
})

test('buying opens the checkout in a new tab, and the balance rises by itself once paid', async () => {
  const { widget, account } = await openSignedIn(harness, 0)
  const tab = { opener: {} as unknown, location: { href: '' }, close: vi.fn() }
  const open = vi.spyOn(window, 'open').mockReturnValue(tab as unknown as Window)
  harness.defer(() => open.mockRestore())
  fireEvent.click(await screen.findByRole('button', { name: 'Credits: 0' }))
  fireEvent.click((await screen.findAllByRole('button', { name: /conversations/ }))[0] as HTMLElement)
  await waitFor(() => expect(tab.location.href).toContain('/dev/checkout/'))
  expect(tab.opener).toBeNull() // the checkout page cannot reach back into the host page
  expect(screen.getByText('Finish paying in the new tab. Your balance updates by itself.')).toBeTruthy()

  // Pay as the test checkout's button would (it posts a signed webhook to the server).
  const pay = await fetch(tab.location.href.replace(/\/dev\/checkout\/([^?]+)/, '/dev/checkout/$1/pay'), {
    method: 'POST',
    redirect: 'manual',
  })
  expect(pay.status).toBe(303)
  await screen.findByRole('heading', { name: 'Credits: 3' })
  // Paid: nothing asks to finish paying any more.
  await waitFor(() => expect(screen.queryByText(/Finish paying in the new tab/)).toBeNull())
  expect(widget.client.credits.$balance.get()).toBe(3)
  expect((await api(harness.server.url, 'GET', '/v1/credits', { token: account.token })).body.balance).toBe(3)
})

test('deleting the account asks first (saying how many credits are lost), then signs the user out; the server no longer knows them', async () => {
  const { widget, account } = await openSignedIn(harness, 2)
  fireEvent.click(screen.getByRole('button', { name: 'Your data' }))
  fireEvent.click(await screen.findByRole('button', { name: 'Delete my account' }))
  const warning = screen.getByRole('alert')
  expect(warning.textContent).toContain('It cannot be undone.')
  await waitFor(() =>
    expect(warning.textContent).toContain('Your 2 credits are lost with the account and not refunded.'),
  )
  // Changing one's mind is possible.
  fireEvent.click(within(warning).getByRole('button', { name: 'Cancel' }))
  expect(screen.queryByRole('alert')).toBeNull()

  fireEvent.click(screen.getByRole('button', { name: 'Delete my account' }))
  fireEvent.click(screen.getByRole('button', { name: 'Yes, delete everything' }))
  await screen.findByRole('heading', { name: 'Sign in to talk to a builder' })
  expect(widget.client.$user.get()).toBeNull()
  expect((await api(harness.server.url, 'GET', '/v1/me', { token: account.token })).status).toBe(401)
})

test('the data export downloads everything as a JSON file', async () => {
  await openSignedIn(harness, 2)
  const created: Blob[] = []
  const url = vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    created.push(blob as Blob)
    return 'blob:export'
  })
  harness.defer(() => url.mockRestore())
  fireEvent.click(screen.getByRole('button', { name: 'Your data' }))
  fireEvent.click(await screen.findByRole('button', { name: 'Download my data' }))
  await waitFor(() => expect(created).toHaveLength(1))
  const data = JSON.parse(await (created[0] as Blob).text())
  expect(data.user.email).toMatch(/@example\.com$/)
  expect(data.transactions).toEqual([expect.objectContaining({ kind: 'grant', amount: 2 })])
})

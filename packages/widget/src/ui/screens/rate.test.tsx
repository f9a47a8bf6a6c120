import { api } from '@suportra/server/testing'
import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test } from 'vitest'
import { activeSession, controlledFetch, openSignedIn, setupServer, type } from '../../../test/helpers.js'

const harness = setupServer()

/** Ends an active session from the chat and lands on the rating screen. */
async function rating(options: { fetch?: typeof fetch } = {}) {
  const { widget, account } = await openSignedIn(harness, 3, options)
  const { id } = await activeSession(harness, widget)
  fireEvent.click(screen.getByRole('button', { name: 'End session' }))
  await screen.findByRole('heading', { name: 'How did it go?' })
  const stored = async () =>
    (await api(harness.server.url, 'GET', `/v1/sessions/${id}`, { token: account.token })).body.session
  return { widget, stored }
}

/** The stars as drawn, e.g. ★★★★☆. */
const stars = () =>
  [...screen.getByRole('group', { name: 'How did it go?' }).querySelectorAll('[aria-hidden="true"]')]
    .map((star) => star.textContent)
    .join('')

test('five stars are offered, none chosen, and Send waits for a score', async () => {
  await rating()
  for (const n of [1, 2, 3, 4, 5]) {
    expect((screen.getByRole('radio', { name: `${n} of 5` }) as HTMLInputElement).checked).toBe(false)
  }
  expect(stars()).toBe('☆☆☆☆☆')
  expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true)
  fireEvent.click(screen.getByRole('radio', { name: '3 of 5' }))
  expect(stars()).toBe('★★★☆☆')
  expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(false)
})

test('the chosen score and the comment reach the server, then a thank-you shows', async () => {
  const { stored } = await rating()

  fireEvent.click(screen.getByRole('radio', { name: '4 of 5' }))
  expect(stars()).toBe('★★★★☆')
  type(screen.getByRole('textbox', { name: 'Anything to add? (optional)' }), 'Fixed in 10 minutes')
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))

  expect(await screen.findByRole('heading', { name: 'Thank you!' })).toBeTruthy()
  expect((await stored()).rating).toEqual({ score: 4, comment: 'Fixed in 10 minutes' })
})

test('the comment is optional', async () => {
  const { stored } = await rating()

  fireEvent.click(screen.getByRole('radio', { name: '5 of 5' }))
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))

  await screen.findByRole('heading', { name: 'Thank you!' })
  expect((await stored()).rating).toEqual({ score: 5, comment: null })
})

test('after thanking, "New session" leads back to the form', async () => {
  await rating()
  fireEvent.click(screen.getByRole('radio', { name: '1 of 5' }))
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  fireEvent.click(await screen.findByRole('button', { name: 'New session' }))
  expect(await screen.findByRole('heading', { name: 'What are you stuck on?' })).toBeTruthy()
})

test('when the server cannot be reached the rating is kept and can be sent again', async () => {
  const network = controlledFetch()
  const { stored } = await rating({ fetch: network.fetch })
  fireEvent.click(screen.getByRole('radio', { name: '2 of 5' }))

  network.down = true
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  const alert = await screen.findByRole('alert')
  expect(alert.textContent).toBe('Suportra cannot be reached right now.')
  expect((screen.getByRole('radio', { name: '2 of 5' }) as HTMLInputElement).checked).toBe(true)

  network.down = false
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  await screen.findByRole('heading', { name: 'Thank you!' })
  await waitFor(async () => expect((await stored()).rating).toEqual({ score: 2, comment: null }))
})

import { allMessages, api } from '@suportra/server/testing'
import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import { activeSession, openPanel, openSignedIn, setupServer, startSession } from '../../../test/helpers.js'

const harness = setupServer()

const context = {
  error: { message: 'Error: Command "pnpm build" exited with 1' },
  url: 'https://vercel.com/a/b',
}

test('open({ topic, context }) during a session says so; adding sends the topic and context to that session', async () => {
  const { widget, account } = await openSignedIn(harness)
  const { id, handle } = await activeSession(harness, widget, 'Hydration error')

  await openPanel(widget, { topic: 'The build also fails on Vercel', context })

  const heading = await screen.findByRole('heading', { name: 'You have a session going' })
  const screenEl = heading.closest('section') as HTMLElement
  expect(screenEl.textContent).toContain('Your session “Hydration error” is still open.')
  expect(screenEl.textContent).toContain('The build also fails on Vercel')
  expect(within(screenEl).getByRole('group', { name: 'Shared with the builder' }).textContent).toContain(
    'pnpm build',
  )
  fireEvent.click(within(screenEl).getByRole('button', { name: 'Add to this session' }))

  // Back in the chat; the builder gets the topic as text and the context as JSON code.
  await screen.findByRole('log')
  await waitFor(
    async () => {
      const sent = (await allMessages(harness.server.url, account.token, id)).filter(
        (m) => m.author === 'user',
      )
      expect(sent).toMatchObject([{ body: 'The build also fails on Vercel', code: { language: 'json' } }])
      expect(JSON.parse(sent[0]?.code?.content ?? '')).toEqual(context)
    },
    { timeout: 5_000 },
  )
  expect(handle.id).toBe(id)
})

test('ending the waiting session instead starts over with the prefill; cancelling goes back to the chat', async () => {
  const { widget, account } = await openSignedIn(harness)
  const id = await startSession(widget, 'First problem')

  await openPanel(widget, { tool: 'v0', topic: 'Second problem', context })
  fireEvent.click(await screen.findByRole('button', { name: 'Cancel', description: undefined }))
  // Cancel here is the choice screen's: the chat shows again, the session still waiting.
  await screen.findByText('Waiting for a builder')
  expect(widget.view.value).toEqual({ name: 'home' })

  await openPanel(widget, { tool: 'v0', topic: 'Second problem', context })
  fireEvent.click(await screen.findByRole('button', { name: 'End it and start a new one' }))
  await screen.findByRole('heading', { name: 'What are you stuck on?' })
  await waitFor(() =>
    expect((screen.getByRole('textbox', { name: 'Describe the blocker' }) as HTMLTextAreaElement).value).toBe(
      'Second problem',
    ),
  )
  const stored = await api(harness.server.url, 'GET', `/v1/sessions/${id}`, { token: account.token })
  expect(stored.body.session.status).toBe('cancelled')
})

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

test('a secret in the new context is caught before it is added; "Redact and send" adds it redacted', async () => {
  const { widget, account } = await openSignedIn(harness)
  const { id } = await activeSession(harness, widget, 'Deploy fails')
  const file = { path: '.env', content: 'AWS_ACCESS_KEY_ID=AKIAQYLPMN5HHHFPZAM2\nREGION=eu-west-1' }

  await openPanel(widget, { topic: 'Maybe the env?', context: { file } })
  fireEvent.click(await screen.findByRole('button', { name: 'Add to this session' }))
  const warning = await screen.findByRole('alertdialog')
  fireEvent.click(within(warning).getByRole('button', { name: 'Redact and send' }))

  await waitFor(
    async () => {
      const sent = (await allMessages(harness.server.url, account.token, id)).filter(
        (m) => m.author === 'user',
      )
      expect(sent).toHaveLength(1)
      expect(sent[0]?.code?.content).toContain('AWS_ACCESS_KEY_ID=[redacted aws-access-key-id]')
      expect(JSON.stringify(sent)).not.toContain('AKIAQYLPMN5HHHFPZAM2')
    },
    { timeout: 5_000 },
  )
})

test('a context longer than a message may be goes as a context.json file', async () => {
  const { widget, account } = await openSignedIn(harness)
  const { id } = await activeSession(harness, widget, 'Huge diff')
  const diff = `@@ -1 +1 @@\n${'+ a line of the change\n'.repeat(2_000)}`

  await openPanel(widget, { context: { diff } })
  fireEvent.click(await screen.findByRole('button', { name: 'Add to this session' }))

  await waitFor(
    async () => {
      const [sent] = (await allMessages(harness.server.url, account.token, id)).filter(
        (m) => m.author === 'user',
      )
      expect(sent?.attachments).toMatchObject([{ name: 'context.json', type: 'application/json' }])
      expect(sent?.code).toBeNull()
    },
    { timeout: 5_000 },
  )
})

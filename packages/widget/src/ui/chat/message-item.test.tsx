import { within } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import { activeSession, openSignedIn, setupServer, transcript } from '../../../test/helpers.js'

// Counts how often a message's Markdown is turned into elements (the costly part of a row, with the
// highlighting its code blocks start).
const markdown = vi.hoisted(() => ({ runs: [] as string[] }))
vi.mock('../markdown.js', async (load) => {
  const real = await load<typeof import('../markdown.js')>()
  return {
    ...real,
    Markdown: (props: { text: string }) => {
      markdown.runs.push(props.text)
      return real.Markdown(props)
    },
  }
})

const harness = setupServer()

test('a new message renders its own Markdown once and leaves the rows already shown alone', async () => {
  const { widget } = await openSignedIn(harness)
  const { handle } = await activeSession(harness, widget)
  for (let i = 1; i <= 20; i++) await handle.send(`Message **${i}**`)
  await within(transcript()).findByText('20')

  markdown.runs = []
  await handle.send('One more')
  await within(transcript()).findByText('One more')
  // The user typing back (their own message: pending, then sent) changes only that row too.
  await widget.client.sessions.get(handle.id).send('Thanks')
  await within(transcript()).findByText('Thanks')
  await vi.waitFor(() => expect(markdown.runs.filter((text) => text === 'Thanks').length).toBeGreaterThan(0))
  expect(markdown.runs.filter((text) => text.startsWith('Message'))).toEqual([])
  expect(markdown.runs.filter((text) => text === 'One more')).toHaveLength(1)
})

import { allMessages } from '@suportra/server/testing'
import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import {
  activeSession,
  composer,
  controlledFetch,
  openSignedIn,
  setupServer,
  transcript,
  type,
} from '../../../test/helpers.js'

const harness = setupServer()

/** An active session whose widget talks through a fetch the test controls. */
async function chatting() {
  const network = controlledFetch()
  const { widget, account } = await openSignedIn(harness, 3, { fetch: network.fetch })
  const { id } = await activeSession(harness, widget)
  const stored = async () =>
    (await allMessages(harness.server.url, account.token, id)).filter((m) => m.kind !== 'event')
  return { network, stored, id }
}

/** Picks files with the attach button's hidden file input. */
function attach(...files: File[]) {
  const input = screen.getByRole('dialog').querySelector('input[type="file"]') as HTMLInputElement
  Object.defineProperty(input, 'files', { value: files, configurable: true })
  fireEvent.change(input)
}

const posts = (network: ReturnType<typeof controlledFetch>, path: RegExp) =>
  network.requests.filter((r) => r.method === 'POST' && path.test(r.path))

test('Enter sends the message; it shows as mine and the server has it', async () => {
  const { stored } = await chatting()

  type(composer(), 'It fails with ERR_MODULE_NOT_FOUND')
  const notPrevented = fireEvent.keyDown(composer(), { key: 'Enter' })

  expect(notPrevented).toBe(false) // no newline is added
  const item = (await within(transcript()).findByText('It fails with ERR_MODULE_NOT_FOUND')).closest('li')
  expect(item?.className).toContain('mine')
  expect(item?.textContent).toContain('You:')
  expect((composer() as HTMLTextAreaElement).value).toBe('')
  await waitFor(async () =>
    expect((await stored()).map((m) => m.body)).toEqual(['It fails with ERR_MODULE_NOT_FOUND']),
  )
})

test('Shift+Enter adds a line instead of sending', async () => {
  const { network } = await chatting()

  type(composer(), 'first line')
  const notPrevented = fireEvent.keyDown(composer(), { key: 'Enter', shiftKey: true })

  expect(notPrevented).toBe(true) // the browser inserts the line break
  expect((composer() as HTMLTextAreaElement).value).toBe('first line')
  expect(posts(network, /\/messages$/)).toEqual([])
  expect(within(transcript()).queryByText('first line')).toBeNull()
})

test('the Send button sends; an empty message is not sent', async () => {
  const { network, stored } = await chatting()

  type(composer(), '   ')
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  expect(posts(network, /\/messages$/)).toEqual([])

  type(composer(), 'Multi\nline')
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  await waitFor(async () => expect((await stored()).map((m) => m.body)).toEqual(['Multi\nline']))
})

test('a message sent while the server is unreachable shows as sending, then goes out once', async () => {
  const { network, stored } = await chatting()
  network.down = true

  type(composer(), 'Are you there?')
  fireEvent.keyDown(composer(), { key: 'Enter' })

  const item = (await within(transcript()).findByText('Are you there?')).closest('li') as HTMLElement
  expect(within(item).getByText('Sending…')).toBeTruthy()
  network.down = false
  await waitFor(() => expect(within(item).queryByText('Sending…')).toBeNull(), { timeout: 5_000 })
  expect((await stored()).map((m) => m.body)).toEqual(['Are you there?'])
})

test('a file over 10 MB is not uploaded: the message is marked failed with Retry and Discard', async () => {
  const { network, stored } = await chatting()
  const huge = new File([new Uint8Array(10 * 1024 * 1024 + 1)], 'dump.zip', { type: 'application/zip' })

  attach(huge)
  expect(
    within(screen.getByRole('dialog').querySelector('form.composer') as HTMLElement).getByText('dump.zip'),
  )
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))

  const alert = await within(transcript()).findByRole('alert')
  expect(alert.textContent).toContain('Not sent')
  expect(alert.textContent).toContain('10 MB')
  expect(within(alert).getByRole('button', { name: 'Retry' })).toBeTruthy()
  expect(posts(network, /\/attachments$/)).toEqual([])
  expect(await stored()).toEqual([])

  fireEvent.click(within(alert).getByRole('button', { name: 'Discard' }))
  await waitFor(() => expect(within(transcript()).queryByText('dump.zip')).toBeNull())
})

test('retrying a file over 10 MB still does not upload it', async () => {
  const { network } = await chatting()
  attach(new File([new Uint8Array(10 * 1024 * 1024 + 1)], 'dump.zip'))
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  const alert = await within(transcript()).findByRole('alert')

  fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }))

  const again = await within(transcript()).findByRole('alert')
  expect(again.textContent).toContain('10 MB')
  expect(posts(network, /\/attachments$/)).toEqual([])
})

test('a text too long for the server is marked failed with the reason, and kept for the user', async () => {
  const { stored } = await chatting()
  const long = 'x'.repeat(20_001)

  type(composer(), long)
  fireEvent.keyDown(composer(), { key: 'Enter' })

  const alert = await within(transcript()).findByRole('alert')
  // The user learns why, in words they understand (not "Request body is invalid: text: Invalid input").
  expect(alert.textContent).toMatch(/^Not sent: .*(too long|at most 20[,.\s]?000)/i)
  expect(within(alert).getByRole('button', { name: 'Retry' })).toBeTruthy()
  expect(within(alert).getByRole('button', { name: 'Discard' })).toBeTruthy()
  expect(transcript().textContent).toContain(long)
  expect(await stored()).toEqual([])
})

test('an attached file is uploaded and shows with its name and size', async () => {
  const { stored } = await chatting()
  const log = new File(['x'.repeat(1500)], 'build.log', { type: 'text/plain' })

  attach(log)
  type(composer(), 'Here is the log')
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))

  await waitFor(async () => expect((await stored())[0]?.attachments).toHaveLength(1))
  const [message] = await stored()
  expect(message?.attachments[0]).toMatchObject({ name: 'build.log', size: 1500, type: 'text/plain' })
  const item = within(transcript()).getByText('Here is the log').closest('li') as HTMLElement
  await waitFor(() => expect(within(item).getByRole('button', { name: 'build.log' })).toBeTruthy())
  expect(within(item).getByText('2 KB')).toBeTruthy()
  // The composer is empty again.
  expect(
    within(screen.getByRole('dialog').querySelector('form.composer') as HTMLElement).queryByText('build.log'),
  ).toBeNull()
})

test('files can also be pasted or dropped into the composer', async () => {
  await chatting()
  fireEvent.paste(composer(), { clipboardData: { files: [new File(['a'], 'pasted.png')] } })
  const form = screen.getByRole('dialog').querySelector('form.composer') as HTMLElement
  fireEvent.drop(form, { dataTransfer: { files: [new File(['b'], 'dropped.txt')] } })

  expect(within(form).getByText('pasted.png')).toBeTruthy()
  expect(within(form).getByText('dropped.txt')).toBeTruthy()
})

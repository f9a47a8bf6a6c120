import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import {
  activeSession,
  composer,
  controlledFetch,
  openSignedIn,
  setupServer,
  type,
} from '../../../test/helpers.js'

const harness = setupServer()

test('a file that cannot be read: nothing is sent, and the text and files are back in the composer', async () => {
  const network = controlledFetch()
  const { widget } = await openSignedIn(harness, 3, { fetch: network.fetch })
  await activeSession(harness, widget)
  // A file removed or changed on disk after it was picked: reading it fails.
  const gone = new File(['whatever'], 'build.log', { type: 'text/plain' })
  Object.defineProperty(gone, 'text', {
    value: () => Promise.reject(new DOMException('The file could not be read', 'NotReadableError')),
  })
  const input = screen.getByRole('dialog').querySelector('input[type="file"]') as HTMLInputElement
  Object.defineProperty(input, 'files', { value: [gone], configurable: true })
  fireEvent.change(input)
  type(composer(), 'The build log is attached')
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))

  await waitFor(() => expect((composer() as HTMLTextAreaElement).value).toBe('The build log is attached'))
  expect(within(screen.getByRole('dialog')).getByText('build.log').tagName).toBe('LI')
  expect(network.requests.filter((r) => r.method === 'POST' && /\/messages$/.test(r.path))).toEqual([])
})

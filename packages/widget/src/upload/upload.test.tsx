import { allMessages } from '@suportra/server/testing'
import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { afterEach, expect, test } from 'vitest'
import { activeSession, openSignedIn, setupServer, transcript } from '../../test/helpers.js'
import { NodeXHR } from '../../test/node-xhr.js'
import type { Widget } from '../widget.js'
import { xhrFetch } from './xhr.js'

const harness = setupServer()
afterEach(() => {
  NodeXHR.failAfter = undefined
})

function attach(file: File) {
  const input = screen.getByRole('dialog').querySelector('input[type="file"]') as HTMLInputElement
  Object.defineProperty(input, 'files', { value: [file], configurable: true })
  fireEvent.change(input)
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
}

/** Every progress value the widget published for `file`, in order. */
function track(widget: Widget, file: Blob) {
  const loaded: number[] = []
  const stop = widget.uploads.subscribe((uploads) => {
    const progress = uploads.get(file)
    if (progress && progress.loaded !== loaded.at(-1)) loaded.push(progress.loaded)
  })
  harness.defer(stop)
  return loaded
}

async function chatting() {
  const { widget, account } = await openSignedIn(harness)
  const { id } = await activeSession(harness, widget)
  const stored = async () =>
    (await allMessages(harness.server.url, account.token, id)).filter((m) => m.kind !== 'event')
  return { widget, stored }
}

test('a file shows a labelled progress bar while it uploads; it reaches 100 % and the message is sent', async () => {
  const { widget, stored } = await chatting()
  const file = new File([new Uint8Array(200 * 1024).fill(7)], 'trace.bin', {
    type: 'application/octet-stream',
  })
  const loaded = track(widget, file)

  attach(file)

  const bar = await screen.findByRole('progressbar', { name: /^Uploading trace\.bin: \d+%$/ })
  expect(bar.getAttribute('max')).toBe(String(file.size))
  await waitFor(async () => expect((await stored())[0]?.attachments).toHaveLength(1), { timeout: 5_000 })
  // Several steps, never backwards, ending at every byte.
  expect(loaded.length).toBeGreaterThan(3)
  expect(loaded).toEqual([...loaded].sort((a, b) => a - b))
  expect(loaded.at(-1)).toBe(file.size)
  expect((await stored())[0]?.attachments[0]).toMatchObject({ name: 'trace.bin', size: file.size })
  // Sent: the bar is gone and the file is a download link.
  const item = within(transcript()).getByText('trace.bin').closest('li') as HTMLElement
  await waitFor(() => expect(within(item).queryByRole('progressbar')).toBeNull())
  await waitFor(() => expect(within(transcript()).getByRole('button', { name: 'trace.bin' })).toBeTruthy())
})

test('an upload cut by the network is not lost: it starts again and the file is stored once', async () => {
  const { widget, stored } = await chatting()
  const file = new File([new Uint8Array(100 * 1024)], 'dump.bin')
  const loaded = track(widget, file)
  NodeXHR.failNext(40 * 1024)

  attach(file)

  await waitFor(async () => expect((await stored())[0]?.attachments).toHaveLength(1), { timeout: 8_000 })
  // The first attempt stopped before the end, the second went to the end.
  const restart = loaded.findIndex((n, i) => i > 0 && n < (loaded[i - 1] ?? 0))
  expect(restart).toBeGreaterThan(0)
  expect(loaded[restart - 1]).toBeLessThan(file.size)
  expect(loaded.at(-1)).toBe(file.size)
  expect(await stored()).toHaveLength(1)
})

test('an upload the server refuses shows the failed state with the reason and Discard (a Retry would be refused again)', async () => {
  await chatting()
  attach(new File([], 'empty.txt', { type: 'text/plain' }))

  const alert = await within(transcript()).findByRole('alert')
  expect(alert.textContent).toMatch(/^Not sent: The file is empty/)
  expect(within(alert).queryByRole('button', { name: 'Retry' })).toBeNull()
  expect(within(alert).getByRole('button', { name: 'Discard' })).toBeTruthy()
  expect(within(transcript()).queryByRole('progressbar')).toBeNull()
})

test('xhrFetch answers like fetch: a real Response with status, headers and body', async () => {
  const body = new Blob(['hello'])
  const progress: number[] = []
  const response = await xhrFetch(
    `${harness.server.url}/v1/sessions/nope/attachments?name=a.txt`,
    { method: 'POST', body, headers: { 'x-suportra-app': 'app_demo' } },
    (loaded) => progress.push(loaded),
  )
  expect(response).toBeInstanceOf(Response)
  expect(response.status).toBe(401)
  expect(response.headers.get('content-type')).toContain('application/json')
  expect((await response.json()).error.code).toBe('unauthorized')
  expect(progress.at(-1)).toBe(5)
})

test('xhrFetch rejects with a TypeError when the network fails, as fetch does', async () => {
  await expect(
    xhrFetch('http://127.0.0.1:9/v1/x', { method: 'POST', body: new Blob(['x']) }, () => {}),
  ).rejects.toBeInstanceOf(TypeError)
})

test('xhrFetch honours init.signal: aborting stops the upload and rejects with the reason', async () => {
  const abort = new AbortController()
  const sent = xhrFetch(
    `${harness.server.url}/v1/sessions/nope/attachments?name=big.bin`,
    { method: 'POST', body: new Blob([new Uint8Array(1024 * 1024)]), signal: abort.signal },
    (loaded) => {
      if (loaded > 0) abort.abort()
    },
  )
  await expect(sent).rejects.toMatchObject({ name: 'AbortError' })
  // Already aborted: nothing is sent at all.
  await expect(
    xhrFetch(
      'http://127.0.0.1:9/',
      { method: 'POST', body: new Blob(['x']), signal: abort.signal },
      () => {},
    ),
  ).rejects.toMatchObject({ name: 'AbortError' })
})

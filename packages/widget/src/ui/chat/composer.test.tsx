import { MAX_ATTACHMENT_BYTES } from '@suportra/protocol/constants'
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
  return { network, stored, id, widget }
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

test('a file over the limit is not uploaded: the message is marked failed with the real limit, Discard and no Retry', async () => {
  const { network, stored } = await chatting()
  const huge = new File([new Uint8Array(MAX_ATTACHMENT_BYTES + 1)], 'dump.zip', { type: 'application/zip' })

  attach(huge)
  expect(
    within(screen.getByRole('dialog').querySelector('form.composer') as HTMLElement).getByText('dump.zip'),
  )
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))

  const alert = await within(transcript()).findByRole('alert')
  // The limit as the client enforces it (MAX_ATTACHMENT_BYTES), in the user's units.
  expect(alert.textContent?.replace(/\s+/g, ' ')).toBe(
    `Not sent: Files can be at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB. Discard`,
  )
  // Sending the same file again can never succeed: no Retry to offer.
  expect(within(alert).queryByRole('button', { name: 'Retry' })).toBeNull()
  expect(posts(network, /\/attachments$/)).toEqual([])
  expect(await stored()).toEqual([])

  fireEvent.click(within(alert).getByRole('button', { name: 'Discard' }))
  await waitFor(() => expect(within(transcript()).queryByText('dump.zip')).toBeNull())
})

test('an attached file can be removed before sending; only the others go', async () => {
  const { stored } = await chatting()
  attach(
    new File(['a'], 'keep.txt', { type: 'text/plain' }),
    new File(['b'], 'oops.env', { type: 'text/plain' }),
  )
  const form = screen.getByRole('dialog').querySelector('form.composer') as HTMLElement

  fireEvent.click(within(form).getByRole('button', { name: 'Remove oops.env' }))

  expect(within(form).queryByText('oops.env')).toBeNull()
  type(composer(), 'Only this one')
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  await waitFor(
    async () => expect((await stored()).map((m) => m.attachments.map((a) => a.name))).toEqual([['keep.txt']]),
    {
      timeout: 5_000,
    },
  )
})

test('a text too long for the server is marked failed with the reason (no Retry), and kept for the user', async () => {
  const { stored } = await chatting()
  const long = 'x'.repeat(20_001)

  type(composer(), long)
  fireEvent.keyDown(composer(), { key: 'Enter' })

  const alert = await within(transcript()).findByRole('alert')
  // The user learns why, in words they understand (not "Request body is invalid: text: Invalid input").
  expect(alert.textContent).toMatch(/^Not sent: .*(too long|at most 20[,.\s]?000)/i)
  expect(within(alert).queryByRole('button', { name: 'Retry' })).toBeNull()
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
  expect(within(item).getByText('2 kB')).toBeTruthy()
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

// Made up, in AWS's format (keys ending in EXAMPLE are AWS's own placeholders and are let through).
const AWS_KEY_ID = 'AKIAZ7Q3XWJ5N2LKD4PM'
// Put together at run time so that secret scanners do not flag this file.
const STRIPE_KEY = `sk_${'live'}_4eC39HqLyjWDarjtT1zdp7dcQ2`

/** The question asked before a message with a secret leaves the machine. */
const secretWarning = () => screen.findByRole('alertdialog')

test('a message with a secret is held: the user is told what kind it is and nothing is sent yet', async () => {
  const { network, stored } = await chatting()

  type(composer(), `Deploy with ${AWS_KEY_ID} fails`)
  fireEvent.keyDown(composer(), { key: 'Enter' })

  const warning = await secretWarning()
  expect(warning.textContent).toContain(
    'This looks like a secret: aws access key id. The builder would see it.',
  )
  expect(within(warning).getByRole('button', { name: 'Redact and send' })).toBeTruthy()
  expect(within(warning).getByRole('button', { name: 'Send anyway' })).toBeTruthy()
  expect(within(warning).getByRole('button', { name: 'Cancel' })).toBeTruthy()
  expect(posts(network, /\/messages$/)).toEqual([])
  expect(transcript().textContent).not.toContain(AWS_KEY_ID)
  expect(await stored()).toEqual([])
})

test('"Redact and send" stores the message with the secret replaced and the rest kept', async () => {
  const { stored } = await chatting()
  type(composer(), `Deploy with ${AWS_KEY_ID} fails\nregion eu-west-1`)
  fireEvent.keyDown(composer(), { key: 'Enter' })

  fireEvent.click(within(await secretWarning()).getByRole('button', { name: 'Redact and send' }))

  await waitFor(async () =>
    expect((await stored()).map((m) => m.body)).toEqual([
      'Deploy with [redacted aws-access-key-id] fails\nregion eu-west-1',
    ]),
  )
  expect(screen.queryByRole('alertdialog')).toBeNull()
  expect(transcript().textContent).not.toContain(AWS_KEY_ID)
  expect((composer() as HTMLTextAreaElement).value).toBe('')
})

test('"Send anyway" sends the message unchanged', async () => {
  const { stored } = await chatting()
  type(composer(), `Deploy with ${AWS_KEY_ID} fails`)
  fireEvent.keyDown(composer(), { key: 'Enter' })

  fireEvent.click(within(await secretWarning()).getByRole('button', { name: 'Send anyway' }))

  await waitFor(async () =>
    expect((await stored()).map((m) => m.body)).toEqual([`Deploy with ${AWS_KEY_ID} fails`]),
  )
  expect(screen.queryByRole('alertdialog')).toBeNull()
})

test('"Cancel" sends nothing and puts the message and its files back in the composer', async () => {
  const { network, stored } = await chatting()
  attach(new File(['npm ERR! code E401'], 'npm-debug.log', { type: 'text/plain' }))
  type(composer(), `Deploy with ${AWS_KEY_ID} fails`)
  fireEvent.keyDown(composer(), { key: 'Enter' })
  const form = screen.getByRole('dialog').querySelector('form.composer') as HTMLElement

  fireEvent.click(within(await secretWarning()).getByRole('button', { name: 'Cancel' }))

  await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull())
  expect((composer() as HTMLTextAreaElement).value).toBe(`Deploy with ${AWS_KEY_ID} fails`)
  expect(within(form).getByText('npm-debug.log')).toBeTruthy()
  expect(posts(network, /\/(messages|attachments)$/)).toEqual([])
  expect(within(transcript()).queryByText(/Deploy with/)).toBeNull()
  expect(await stored()).toEqual([])
})

test('a secret in an attached text file is caught, and "Redact and send" uploads the file redacted', async () => {
  const { stored, widget } = await chatting()
  const env = new File([`STRIPE_SECRET_KEY=${STRIPE_KEY}\nDEBUG=true\n`], '.env')

  attach(env)
  type(composer(), 'My env file')
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))

  const warning = await secretWarning()
  expect(warning.textContent).toContain('This looks like a secret: stripe.')
  fireEvent.click(within(warning).getByRole('button', { name: 'Redact and send' }))

  await waitFor(async () => expect((await stored())[0]?.attachments).toHaveLength(1))
  const [message] = await stored()
  expect(message?.body).toBe('My env file')
  expect(message?.attachments[0]?.name).toBe('.env')
  const uploaded = await (await widget.client.download(message?.attachments[0]?.url ?? '')).text()
  expect(uploaded).toBe('STRIPE_SECRET_KEY=[redacted stripe]\nDEBUG=true\n')
})

test('binary files are not scanned: an image is sent as it is, without asking', async () => {
  const { network, stored, widget } = await chatting()
  // Bytes that would read as a key if the image were taken for text.
  const png = new File([`\x89PNG\r\n${AWS_KEY_ID}`], 'screenshot.png', { type: 'image/png' })

  attach(png)
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))

  await waitFor(async () => expect((await stored())[0]?.attachments).toHaveLength(1))
  expect(screen.queryByRole('alertdialog')).toBeNull()
  expect(posts(network, /\/attachments$/)).toHaveLength(1)
  const [message] = await stored()
  const uploaded = await widget.client.download(message?.attachments[0]?.url ?? '')
  expect(new Uint8Array(await uploaded.arrayBuffer())).toEqual(new Uint8Array(await png.arrayBuffer()))
})

test('pressing Enter twice quickly sends the message once', async () => {
  const { network, stored } = await chatting()

  type(composer(), 'Only once please')
  fireEvent.keyDown(composer(), { key: 'Enter' })
  fireEvent.keyDown(composer(), { key: 'Enter' })

  await waitFor(async () => expect((await stored()).map((m) => m.body)).toEqual(['Only once please']))
  const item = within(transcript()).getByText('Only once please').closest('li') as HTMLElement
  await waitFor(() => expect(within(item).queryByText('Sending…')).toBeNull())
  expect(within(transcript()).getAllByText('Only once please')).toHaveLength(1)
  expect(posts(network, /\/messages$/)).toHaveLength(1)
})

test('pressing Enter twice quickly on a message with a secret asks once and sends it once', async () => {
  const { network, stored } = await chatting()

  type(composer(), `Key ${AWS_KEY_ID}`)
  fireEvent.keyDown(composer(), { key: 'Enter' })
  fireEvent.keyDown(composer(), { key: 'Enter' })

  fireEvent.click(within(await secretWarning()).getByRole('button', { name: 'Redact and send' }))

  await waitFor(async () =>
    expect((await stored()).map((m) => m.body)).toEqual(['Key [redacted aws-access-key-id]']),
  )
  await waitFor(() => expect(within(transcript()).queryByText('Sending…')).toBeNull())
  expect(screen.queryAllByRole('alertdialog')).toEqual([])
  expect(posts(network, /\/messages$/)).toHaveLength(1)
})

test('"Redact and send" leaves a binary attachment byte for byte (an Office file is not text)', async () => {
  const { stored, widget } = await chatting()
  const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28])
  const docx = new File([bytes], 'report.docx', {
    type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  })
  attach(docx)
  type(composer(), `Key ${AWS_KEY_ID}`)
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  fireEvent.click(within(await secretWarning()).getByRole('button', { name: 'Redact and send' }))
  // An upload and a store on a busy machine can take longer than waitFor's default second.
  await waitFor(async () => expect((await stored())[0]?.attachments).toHaveLength(1), { timeout: 5_000 })
  const [message] = await stored()
  const uploaded = await widget.client.download(message?.attachments[0]?.url ?? '')
  expect(new Uint8Array(await uploaded.arrayBuffer())).toEqual(bytes)
})

test('clicking "Redact and send" twice while a large log is redacted sends the message once', async () => {
  const { stored, network } = await chatting()
  attach(new File([`token=${'x'.repeat(200_000)}\n`], 'big.log', { type: 'text/plain' }))
  type(composer(), `Key ${AWS_KEY_ID}`)
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  const button = within(await secretWarning()).getByRole('button', { name: 'Redact and send' })
  fireEvent.click(button)
  await new Promise((r) => setTimeout(r, 0))
  fireEvent.click(button)
  await waitFor(async () => expect((await stored()).length).toBeGreaterThan(0))
  await new Promise((r) => setTimeout(r, 1500))
  expect(posts(network, /\/messages$/)).toHaveLength(1)
  expect((await stored()).length).toBe(1)
})

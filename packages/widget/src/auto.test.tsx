import { signIdentityToken } from '@suportra/server/testing'
import { waitFor, within } from '@testing-library/preact'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { DEMO, setupServer } from '../test/helpers.js'
import { boot, type LoaderConfig } from './auto.js'
import type { WidgetInstance } from './mount.js'

const harness = setupServer()
type SuportraFn = ((...args: unknown[]) => void) & { q: unknown[][] }
const win = window as unknown as { Suportra?: SuportraFn }

afterEach(() => {
  vi.restoreAllMocks()
  delete win.Suportra
  localStorage.clear()
})

/** Boots like widget.js does, with the queue built so far; destroyed after the test. */
function bootWith(queue: unknown[][], config: Partial<LoaderConfig> = {}, host?: HTMLElement) {
  const widget = boot({ appId: DEMO.appId, baseUrl: harness.server.url, ...config }, queue, host)
  harness.defer(() => widget?.destroy())
  return widget as WidgetInstance
}

const host = () => document.querySelector('suportra-widget') as HTMLElement
const shadow = () => within(host().shadowRoot as unknown as HTMLElement)
const quietErrors = () => vi.spyOn(console, 'error').mockImplementation(() => {})

test('without data-app-id nothing mounts and the console says what to add', () => {
  const error = quietErrors()
  expect(boot({ baseUrl: harness.server.url }, [])).toBeUndefined()
  expect(document.querySelector('suportra-widget')).toBeNull()
  expect(error).toHaveBeenCalledWith(expect.stringContaining('data-app-id'))
})

test('queued commands are replayed in the order they were made', async () => {
  const seen: string[] = []
  const queue: unknown[][] = [
    ['on', 'open', () => seen.push('open')],
    ['on', 'close', () => seen.push('close')],
    ['open'],
    ['close'],
    ['open'],
  ]

  const widget = bootWith(queue)

  await waitFor(() => expect(seen).toEqual(['open', 'close', 'open']))
  expect(queue).toEqual([])
  expect(widget).toBeTruthy()
  expect(shadow().getByRole('dialog')).toBeTruthy()
})

test('identify and open queued before the script loaded sign the user in and prefill the form', async () => {
  const token = await signIdentityToken({ sub: `vendor-${Date.now()}`, name: 'Lin' })
  bootWith([
    ['identify', { token }],
    ['open', { tool: 'bolt', topic: 'Preview is blank', context: { url: 'http://localhost:5173/' } }],
  ])

  const topic = (await shadow().findByRole('textbox', {
    name: 'Describe the blocker',
  })) as HTMLTextAreaElement
  expect(topic.value).toBe('Preview is blank')
  expect(await shadow().findByText('http://localhost:5173/')).toBeTruthy()
  await waitFor(() =>
    expect((shadow().getByRole('combobox', { name: 'Tool' }) as HTMLSelectElement).value).toBe('bolt'),
  )
})

test('unknown commands are reported, not thrown, and the rest still run', async () => {
  const error = quietErrors()
  let opened = false

  expect(() =>
    bootWith([['explode'], ['client'], ['on', 'open', () => (opened = true)], ['open']]),
  ).not.toThrow()

  await waitFor(() => expect(opened).toBe(true))
  expect(error).toHaveBeenCalledWith('Suportra: unknown command "explode"')
  expect(error).toHaveBeenCalledWith('Suportra: unknown command "client"')
})

test('a command that fails is reported on the console, never thrown at the host page', async () => {
  const error = quietErrors()
  const token = await signIdentityToken({ sub: 'x' }, { secret: 'wrong-secret' })

  bootWith([['identify', { token }]])

  await waitFor(() =>
    expect(error).toHaveBeenCalledWith(
      'Suportra: identify failed',
      expect.objectContaining({ code: 'unauthorized' }),
    ),
  )
})

test('after boot, Suportra(...) calls go straight to the widget', async () => {
  const queue: unknown[][] = []
  const widget = bootWith(queue)
  let opens = 0
  widget.on('open', () => opens++)

  win.Suportra?.('open')
  await waitFor(() => expect(opens).toBe(1))
  win.Suportra?.('close')

  await waitFor(() => expect(shadow().queryByRole('dialog')).toBeNull())
  expect(win.Suportra?.q).toBe(queue)
  expect(queue).toEqual([])
})

test("a command pushed onto the queue after boot (the loader's placeholder clicked while the widget draws) still runs", async () => {
  const queue: unknown[][] = []
  const widget = bootWith(queue)
  let opens = 0
  widget.on('open', () => opens++)

  queue.push(['open'])

  await waitFor(() => expect(opens).toBe(1))
  expect(queue).toEqual([])
})

test('the script tag options: open, label, colour, position', async () => {
  bootWith([], { open: true, label: 'Need help?', color: '#0a7', position: 'left' })

  expect(await shadow().findByRole('dialog')).toBeTruthy()
  expect(shadow().getByRole('button', { name: 'Need help?' })).toBeTruthy()
  expect(host().style.getPropertyValue('--suportra-primary')).toBe('#0a7')
  expect(host().shadowRoot?.querySelector('.root')?.classList.contains('left')).toBe(true)
})

test('data-launcher="false" shows no launcher', () => {
  bootWith([], { launcher: false })
  expect(shadow().queryByRole('button', { name: 'Ask a human' })).toBeNull()
})

test("the widget takes over the loader's placeholder launcher instead of adding a second one", () => {
  const loaderHost = document.createElement('suportra-widget')
  loaderHost.attachShadow({ mode: 'open' }).append(
    Object.assign(document.createElement('button'), {
      textContent: 'Ask a human',
    }),
  )
  document.body.append(loaderHost)

  bootWith([], {}, loaderHost)

  expect(document.querySelectorAll('suportra-widget')).toHaveLength(1)
  expect(within(loaderHost.shadowRoot as unknown as HTMLElement).getAllByRole('button')).toHaveLength(1)
  expect(loaderHost.shadowRoot?.querySelector('.launcher')).not.toBeNull()
})

describe('after Suportra("destroy")', () => {
  const gone = () => waitFor(() => expect(document.querySelector('suportra-widget')).toBeNull())
  afterEach(async () => {
    win.Suportra?.('destroy')
    await gone()
  })

  test('a later Suportra("open") mounts a fresh widget and opens it, not the destroyed one', async () => {
    const first = bootWith([])
    let staleOpens = 0
    first.on('open', () => staleOpens++)
    win.Suportra?.('destroy')
    await gone()

    let opens = 0
    win.Suportra?.('on', 'open', () => opens++)
    win.Suportra?.('open', { topic: 'Back again' })

    await waitFor(() => expect(shadow().getByRole('dialog')).toBeTruthy())
    expect(opens).toBe(1)
    expect(staleOpens).toBe(0)
    expect(document.querySelectorAll('suportra-widget')).toHaveLength(1)
  })

  test('destroy and open in the same tick end with one open widget', async () => {
    bootWith([])

    win.Suportra?.('destroy')
    win.Suportra?.('open')

    await waitFor(() => expect(shadow().getByRole('dialog')).toBeTruthy())
    expect(document.querySelectorAll('suportra-widget')).toHaveLength(1)
  })

  test('close, off and a second destroy bring nothing back', async () => {
    const error = quietErrors()
    bootWith([])
    win.Suportra?.('destroy')
    await gone()

    win.Suportra?.('close')
    win.Suportra?.('off', 'open', () => {})
    win.Suportra?.('destroy')
    await new Promise((resolve) => setTimeout(resolve, 50))

    expect(document.querySelector('suportra-widget')).toBeNull()
    expect(error).not.toHaveBeenCalled()
  })
})

test('data-launcher="false" arrives as a string from the script tag and still hides the launcher', () => {
  bootWith([], { launcher: 'false' })
  expect(shadow().queryByRole('button', { name: 'Ask a human' })).toBeNull()
})

test('an on("ready") queued before the script loaded is called once the widget is ready', async () => {
  const ready = vi.fn()
  const order: string[] = []
  bootWith([
    ['on', 'open', () => order.push('open')],
    ['on', 'ready', ready],
    ['on', 'ready', () => order.push('ready')],
    ['open'],
  ])
  await waitFor(() => expect(ready).toHaveBeenCalledTimes(1))
  await waitFor(() => expect(order).toEqual(['ready', 'open']))
  expect(ready).toHaveBeenCalledWith(undefined)

  // A listener added once the widget is ready is called at once, and only once.
  const late = vi.fn()
  win.Suportra?.('on', 'ready', late)
  await waitFor(() => expect(late).toHaveBeenCalledTimes(1))
  expect(ready).toHaveBeenCalledTimes(1)
})

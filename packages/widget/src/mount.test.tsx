import { memoryStorage } from '@suportra/client'
import { fireEvent, waitFor, within } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import WebSocket from 'ws'
import { controlledFetch, DEMO, setupServer } from '../test/helpers.js'
import { mount, type WidgetInstance } from './mount.js'
import type { MountOptions } from './widget.js'

const harness = setupServer()

function mountHere(options: Partial<MountOptions> = {}): WidgetInstance {
  const instance = mount({
    baseUrl: harness.server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
    ...options,
  })
  harness.defer(() => instance.destroy())
  return instance
}

const hosts = () => [...document.querySelectorAll('suportra-widget')] as HTMLElement[]
const shadowOf = (host: HTMLElement | undefined) => host?.shadowRoot as ShadowRoot
/** Testing Library queries inside a shadow root. */
const inShadow = (host: HTMLElement | undefined) => within(shadowOf(host) as unknown as HTMLElement)

test('renders into an open shadow root styled by an adopted stylesheet, not an inline <style>', () => {
  mountHere()

  const [host] = hosts()
  // On <html>, outside the body: a transformed or replaced body does not move or remove it.
  expect(host?.parentElement).toBe(document.documentElement)
  const root = shadowOf(host)
  expect(root.mode).toBe('open')
  expect(root.adoptedStyleSheets).toHaveLength(1)
  expect(root.adoptedStyleSheets[0]).toBeInstanceOf(CSSStyleSheet)
  expect(root.querySelector('style, link')).toBeNull()
  expect(inShadow(host).getByRole('button', { name: 'Ask a human' })).toBeTruthy()
  // Nothing in the host page's own DOM.
  expect(within(document.body).queryByRole('button')).toBeNull()
})

test('the host element shields the widget from page CSS and carries the theme', () => {
  mountHere({ theme: { primary: '#ff5500', zIndex: 99 } })
  const [host] = hosts()
  expect(host?.style.getPropertyValue('all')).toBe('initial')
  expect(host?.style.getPropertyPriority('all')).toBe('important')
  expect(host?.style.getPropertyValue('--suportra-primary')).toBe('#ff5500')
  expect(host?.style.getPropertyValue('--suportra-z')).toBe('99')
})

test('the default z-index is whole (a CSS minifier would round it down) and page CSS can override it', () => {
  mountHere()
  const [host] = hosts()
  const rules = [...(shadowOf(host).adoptedStyleSheets[0]?.cssRules ?? [])].map((rule) => rule.cssText)
  expect(rules.filter((rule) => rule.includes('--suportra-z: 2147483000'))).toHaveLength(1)
  expect(host?.style.getPropertyValue('--suportra-z')).toBe('')
})

test("'ready' fires once mounted", async () => {
  const instance = mountHere()
  let ready = 0
  ;(instance.on as (name: 'ready', fn: () => void) => void)('ready', () => ready++)
  await waitFor(() => expect(ready).toBe(1))
})

test('mounting the same app id twice returns the first instance and one element', () => {
  const first = mountHere()
  const second = mountHere({ theme: { launcherLabel: 'Ignored' } })
  expect(second).toBe(first)
  expect(hosts()).toHaveLength(1)
})

test('destroy() removes the element and forgets the instance', () => {
  const first = mountHere()
  first.destroy()
  expect(hosts()).toHaveLength(0)

  const again = mountHere()
  expect(again).not.toBe(first)
  expect(hosts()).toHaveLength(1)
})

test('removing the element (an SPA re-render) puts it back without remounting', async () => {
  const instance = mountHere()
  const [host] = hosts()
  instance.open()
  const dialog = await inShadow(host).findByRole('dialog')

  host?.remove()
  await waitFor(() => expect(host?.isConnected).toBe(true))
  document.body.replaceChildren()
  await waitFor(() => expect(host?.isConnected).toBe(true))

  expect(hosts()).toEqual([host])
  // Same panel, still open: nothing was remounted.
  expect(inShadow(host).getByRole('dialog')).toBe(dialog)
})

test("the loader's element is put back too when an SPA removes it", async () => {
  const loaderHost = document.createElement('suportra-widget')
  document.body.append(loaderHost)
  mountHere({ host: loaderHost })
  document.body.replaceChildren()
  await waitFor(() => expect(loaderHost.isConnected).toBe(true))
  expect(hosts()).toEqual([loaderHost])
})

test('with a host element of its own, the widget renders there', () => {
  const own = document.createElement('div')
  document.body.append(own)
  harness.defer(() => own.remove())
  mountHere({ host: own })
  expect(hosts()).toHaveLength(0)
  expect(inShadow(own).getByRole('button', { name: 'Ask a human' })).toBeTruthy()
})

test('consent first: mounting stores nothing and makes no request or connection', async () => {
  const writes: string[] = []
  const storage = memoryStorage()
  const network = controlledFetch()
  let sockets = 0
  class CountingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url)
      sockets++
    }
  }
  const instance = mountHere({
    storage: {
      ...storage,
      setItem(key, value) {
        writes.push(key)
        storage.setItem(key, value)
      },
    },
    fetch: network.fetch,
    WebSocket: CountingWebSocket,
  })
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect([writes, network.requests, sockets]).toEqual([[], [], 0])
  instance.open()
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect([writes, sockets]).toEqual([[], 0])
})

/** Mounts, focuses the launcher in the shadow root and clicks it, as a keyboard or mouse user would. */
async function openFromLauncher() {
  mountHere()
  const [host] = hosts()
  const launcher = inShadow(host).getByRole('button', { name: 'Ask a human' })
  launcher.focus()
  fireEvent.click(launcher)
  const dialog = await inShadow(host).findByRole('dialog')
  return { host, root: shadowOf(host), launcher, dialog }
}

test('in the shadow root, focus moves into the panel and Tab wraps', async () => {
  const { root, dialog } = await openFromLauncher()

  await waitFor(() => expect(root.activeElement).toBe(within(dialog).getByLabelText('Email')))
  const last = within(dialog).getAllByRole('button').at(-1) as HTMLElement
  last.focus()
  fireEvent.keyDown(last, { key: 'Tab' })
  expect(root.activeElement).toBe(dialog.querySelector('button'))
})

test('in the shadow root, Escape gives focus back to the launcher', async () => {
  const { host, root, launcher, dialog } = await openFromLauncher()

  fireEvent.keyDown(within(dialog).getByLabelText('Email'), { key: 'Escape' })

  await waitFor(() => expect(inShadow(host).queryByRole('dialog')).toBeNull())
  expect(root.activeElement).toBe(launcher)
})

test("opened from the vendor's own button, closing gives focus back to that button", async () => {
  const instance = mountHere({ launcher: false })
  const button = document.createElement('button')
  button.textContent = 'Ask an expert'
  button.addEventListener('click', () => instance.open())
  document.body.append(button)
  harness.defer(() => button.remove())
  const [host] = hosts()

  button.focus()
  fireEvent.click(button)
  const dialog = await inShadow(host).findByRole('dialog')
  fireEvent.keyDown(within(dialog).getByLabelText('Email'), { key: 'Escape' })

  await waitFor(() => expect(inShadow(host).queryByRole('dialog')).toBeNull())
  expect(document.activeElement).toBe(button)
})

test('destroy() during a session: the socket closes, no request follows, global listeners and the element are gone', async () => {
  const network = controlledFetch()
  const sockets: WebSocket[] = []
  class TrackedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url)
      sockets.push(this)
    }
  }
  const targets = [window, document, globalThis.visualViewport].filter(Boolean) as EventTarget[]
  const added = targets.map((target) => vi.spyOn(target, 'addEventListener'))
  const removed = targets.map((target) => vi.spyOn(target, 'removeEventListener'))
  harness.defer(() => vi.restoreAllMocks())

  const account = await harness.user()
  const instance = mount({
    baseUrl: harness.server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket: TrackedWebSocket,
    fetch: network.fetch,
  })
  await instance.client.auth.signIn({ email: account.email, password: account.password })
  await instance.client.sessions.start({ tool: 'cursor', topic: 'Stuck on a build' })
  instance.open()
  const [host] = hosts()
  await waitFor(() => expect(inShadow(host).getByText('Waiting for a builder')).toBeTruthy())
  await waitFor(() => expect(instance.client.$connection.get()).toBe('open'), { timeout: 5_000 })
  expect(sockets.length).toBeGreaterThan(0)

  instance.destroy()

  expect(host?.isConnected).toBe(false)
  expect(hosts()).toEqual([])
  await waitFor(() => expect(sockets.every((s) => s.readyState === WebSocket.CLOSED)).toBe(true))
  const before = network.requests.length
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  expect(network.requests.slice(before)).toEqual([])
  // Every listener put on window, document or visualViewport was taken off again (removed, or
  // added with an AbortSignal that is now aborted).
  targets.forEach((target, i) => {
    const left = (added[i]?.mock.calls ?? []).filter(
      ([type, fn, options]) =>
        !(typeof options === 'object' && options?.signal?.aborted) &&
        !(removed[i]?.mock.calls ?? []).some(([t, f]) => t === type && f === fn),
    )
    expect(left.map(([type]) => `${target.constructor.name} ${type}`)).toEqual([])
  })
})

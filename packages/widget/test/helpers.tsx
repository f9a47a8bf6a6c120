/**
 * Shared helpers for the widget's component tests, which run against the real server.
 *
 * How networking works here: the widget project runs in `test/happy-dom-environment.ts` (repo root,
 * selected as `'dom'` in vitest.config.ts): happy-dom for the DOM, but Node's own `fetch`, `Request`,
 * `Headers`, `URL`, `Blob`… Plain happy-dom does not work: its `fetch` applies CORS from its
 * `http://localhost:3000` page (the preflight of `/health` fails) and its `Request`/`Headers` would
 * replace the ones the in-process server is built on. So the global `fetch` IS Node's and the
 * widget needs no `fetch` option. `WebSocket` must be passed (`ws`): Node 20 has none, and the global
 * one is happy-dom's. Real browser rules (CORS, CSP) are covered by the Chromium tests.
 */
import {
  createClient,
  memoryStorage,
  type SuportraClient,
  type WebSocketFactory,
  type WebSocketLike,
} from '@suportra/client'
import { createUser, DEMO, signIn, startTestServer, type TestServer } from '@suportra/server/testing'
import { act, cleanup, fireEvent, type RenderResult, render, screen, waitFor } from '@testing-library/preact'
import type { JSX } from 'preact'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import WebSocket from 'ws'
import { App } from '../src/ui/app.js'
import { WidgetContext } from '../src/ui/context.js'
import { createWidget, type MountOptions, type Widget } from '../src/widget.js'

export { DEMO }

export interface Account {
  id: string
  email: string
  password: string
  /** For checking what the server holds, with `api()`. */
  token: string
}

export interface Harness {
  readonly server: TestServer
  /** A widget on the test server with its own memory storage; destroyed after the test. */
  widget(options?: Partial<MountOptions>): Widget
  /** A fresh user (so tests never share sessions or credits), with `credits` (default 3). */
  user(credits?: number): Promise<Account>
  /** A second client signed in as the demo builder; destroyed after the test. */
  builder(): Promise<SuportraClient>
  /** Runs `fn` after the current test. */
  defer(fn: () => unknown): void
}

/**
 * Starts one real server for the file (fresh database, demo seed) and cleans up after each test:
 * unmounts what was rendered, destroys widgets and clients.
 */
export function setupServer(options: Parameters<typeof startTestServer>[0] = {}): Harness {
  let server: TestServer | undefined
  const deferred: (() => unknown)[] = []
  beforeAll(async () => {
    server = await startTestServer(options)
  })
  afterEach(async () => {
    cleanup()
    for (const fn of deferred.splice(0).reverse()) await fn()
  })
  afterAll(() => server?.close())

  const harness: Harness = {
    get server() {
      if (!server) throw new Error('the server starts in beforeAll')
      return server
    },
    widget(overrides = {}) {
      const widget = createWidget({
        baseUrl: harness.server.url,
        appId: DEMO.appId,
        storage: memoryStorage(),
        WebSocket,
        ...overrides,
      })
      deferred.push(() => widget.destroy())
      return widget
    },
    async user(credits = 3) {
      const { user } = await createUser(harness.server, { credits })
      const email = user.email ?? ''
      const { accessToken } = await signIn(harness.server.url, email, DEMO.user.password)
      return { id: user.id, email, password: DEMO.user.password, token: accessToken }
    },
    async builder() {
      const client = createClient({
        baseUrl: harness.server.url,
        appId: DEMO.appId,
        storage: memoryStorage(),
        WebSocket,
      })
      deferred.push(() => client.destroy())
      await client.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
      return client
    },
    defer(fn) {
      deferred.push(fn)
    },
  }
  return harness
}

/**
 * A widget pointed at a port where nothing listens, for UI parts that need the widget's context
 * (translations) but no server. It stays offline as long as nobody signs in.
 */
export function offlineWidget(options: Partial<MountOptions> = {}): Widget {
  return createWidget({
    baseUrl: 'http://127.0.0.1:9',
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
    ...options,
  })
}

/** Renders part of the UI inside a widget's context (call `cleanup` after each test). */
export function renderPart(node: JSX.Element, widget: Widget = offlineWidget()): RenderResult {
  return render(<WidgetContext.Provider value={widget}>{node}</WidgetContext.Provider>)
}

/** Renders the widget's root (launcher and panel) into the document, without a shadow root. */
export function renderWidget(widget: Widget): RenderResult {
  return render(<App widget={widget} />)
}

/** Opens the panel as a vendor's `open()` call would. */
export async function openPanel(widget: Widget, options?: Parameters<Widget['open']>[0]) {
  await act(() => widget.open(options))
  return screen.getByRole('dialog')
}

/** Signs `account` in through the client, renders and opens the widget, and waits for the new-session form. */
export async function openSignedIn(harness: Harness, credits = 3, overrides: Partial<MountOptions> = {}) {
  const account = await harness.user(credits)
  const widget = harness.widget(overrides)
  await widget.client.auth.signIn({ email: account.email, password: account.password })
  renderWidget(widget)
  await openPanel(widget)
  await screen.findByRole('heading', { name: 'What are you stuck on?' })
  return { widget, account }
}

/** Types into a field (sets the value and fires `input`, as a keystroke would). */
export function type(field: HTMLElement, value: string) {
  fireEvent.input(field, { target: { value } })
}

/** Starts a session through the form and waits for the chat; returns the session id. */
export async function startSession(widget: Widget, topic = 'The build fails after upgrading Next.js') {
  await screen.findByRole('option', { name: 'Cursor' })
  type(screen.getByRole('textbox', { name: 'Describe the blocker' }), topic)
  fireEvent.click(screen.getByRole('button', { name: 'Start session' }))
  // Wait for the chat itself: the home screen may already list an earlier session as waiting.
  await waitFor(() => expect(widget.view.value.name).toBe('chat'), { timeout: 5_000 })
  await screen.findByText('Waiting for a builder')
  const view = widget.view.value
  if (view.name !== 'chat') throw new Error(`expected the chat, got ${view.name}`)
  return view.id
}

/** Starts a session and has the demo builder claim it; resolves once the user sees it active. */
export async function activeSession(harness: Harness, widget: Widget, topic?: string) {
  const id = await startSession(widget, topic)
  const builder = await harness.builder()
  const handle = await builder.builder.claim(id)
  await screen.findByText(`${DEMO.builder.name} joined`)
  await waitFor(() => expect(screen.getByRole('button', { name: 'End session' })).toBeTruthy())
  return { id, builder, handle }
}

/** The composer's textarea. */
export const composer = () => screen.getByRole('textbox', { name: 'Write a message' })

/** The chat transcript (`role="log"`). */
export const transcript = () => screen.getByRole('log')

/**
 * A fetch that records every request (method and path) and can play an unreachable server
 * (`down = true`: every request fails as `fetch` does when nothing answers).
 */
export function controlledFetch() {
  const control = {
    requests: [] as { method: string; path: string }[],
    down: false,
    fetch: ((input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      control.requests.push({ method: init?.method ?? 'GET', path: url.pathname })
      if (control.down) return Promise.reject(new TypeError('fetch failed'))
      return fetch(input, init)
    }) as typeof fetch,
  }
  return control
}

/**
 * A realtime channel the test can stall: while held, sockets made by `WebSocket` hang before
 * connecting (a slow or broken network), and connect once released. HTTP is unaffected.
 */
export function realtimeGate() {
  let gate = Promise.resolve()
  let open = () => {}
  class GatedWebSocket implements WebSocketLike {
    onopen: WebSocketLike['onopen'] = null
    onmessage: WebSocketLike['onmessage'] = null
    onclose: WebSocketLike['onclose'] = null
    onerror: WebSocketLike['onerror'] = null
    #socket: WebSocket | undefined
    #closed = false
    constructor(url: string) {
      gate.then(() => {
        if (this.#closed) return
        const socket = new WebSocket(url)
        socket.onopen = (event) => this.onopen?.(event as never)
        socket.onmessage = (event) => this.onmessage?.(event as never)
        socket.onclose = (event) => this.onclose?.(event as never)
        socket.onerror = (event) => this.onerror?.(event as never)
        this.#socket = socket
      })
    }
    send(data: string) {
      this.#socket?.send(data)
    }
    close(code?: number, reason?: string) {
      this.#closed = true
      this.#socket?.close(code, reason)
    }
  }
  return {
    WebSocket: GatedWebSocket as WebSocketFactory,
    hold() {
      gate = new Promise<void>((resolve) => {
        open = resolve
      })
    },
    release: () => open(),
  }
}

/** Resolves once the widget's realtime connection is open. */
export async function connected(widget: Widget) {
  await waitFor(() => expect(widget.client.$connection.get()).toBe('open'), { timeout: 5_000 })
}

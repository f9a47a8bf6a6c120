// A session watched while its first page is still loading is not in the socket's resume frame: a
// message sent after the page was read and before the socket is ready reaches neither, and must be
// fetched once the page is in.
import { createClient, memoryStorage, type WebSocketLike } from '@suportra/client'
import { createUser, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'
import { DEMO, eventually, signedIn, watch } from './helpers.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

/** A socket whose outgoing frames (the auth frame with its resume points) wait until `release()`. */
function heldSends() {
  let release = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  class HeldSocket implements WebSocketLike {
    onopen: WebSocketLike['onopen'] = null
    onmessage: WebSocketLike['onmessage'] = null
    onclose: WebSocketLike['onclose'] = null
    onerror: WebSocketLike['onerror'] = null
    opened = false
    #socket: WebSocket
    constructor(url: string) {
      this.#socket = new WebSocket(url)
      this.#socket.onopen = (event) => {
        this.opened = true
        this.onopen?.(event as never)
      }
      this.#socket.onmessage = (event) => this.onmessage?.(event as never)
      this.#socket.onclose = (event) => this.onclose?.(event as never)
      this.#socket.onerror = (event) => this.onerror?.(event as never)
      sockets.push(this)
    }
    send(data: string) {
      gate.then(() => this.#socket.readyState === WebSocket.OPEN && this.#socket.send(data))
    }
    close(code?: number, reason?: string) {
      this.#socket.close(code, reason)
    }
  }
  const sockets: HeldSocket[] = []
  return { WebSocket: HeldSocket, sockets, release: () => release() }
}

test('a message sent while a watched session loads and before the socket is ready is not missed', async () => {
  const { user } = await createUser(server, { email: 'resume-race@example.com', credits: 1 })
  const starter = await signedIn(server.url, 'user', {})
  await starter.auth.signIn({ email: user.email ?? '', password: DEMO.user.password })
  const started = await starter.sessions.start({ tool: 'cursor', topic: 'Resume race' })
  starter.destroy()
  const builder = await signedIn(server.url, 'builder')
  const theirs = await builder.builder.claim(started.id)

  // The first page's answer waits until the test lets it through (the server has read it by then).
  let pageRead = () => {}
  const read = new Promise<void>((resolve) => {
    pageRead = resolve
  })
  let answerPage = () => {}
  const answer = new Promise<void>((resolve) => {
    answerPage = resolve
  })
  const fetchFn: typeof fetch = async (input, init) => {
    const response = await fetch(input, init)
    if (new URL(String(input)).pathname.endsWith('/messages') && (init?.method ?? 'GET') === 'GET') {
      pageRead()
      await answer
    }
    return response
  }
  const socket = heldSends()
  const client = createClient({
    baseUrl: server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    fetch: fetchFn,
    WebSocket: socket.WebSocket,
  })
  await client.auth.signIn({ email: user.email ?? '', password: DEMO.user.password })
  const mine = client.sessions.get(started.id)
  const stop = watch(mine.$messages)
  try {
    // The page is read; the socket is open and has built its auth frame (this session not loaded: no
    // resume point), which the server has not seen yet.
    await read
    await eventually(() => expect(socket.sockets.some((s) => s.opened)).toBe(true))
    await theirs.send('Sent in between')
    socket.release()
    await eventually(() => expect(client.$connection.get()).toBe('open'))
    answerPage()
    await eventually(
      () => expect(mine.$messages.get().map((m) => m.body)).toContain('Sent in between'),
      3_000,
    )
  } finally {
    stop()
    client.destroy()
    builder.destroy()
  }
})

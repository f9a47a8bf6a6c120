import { CLOSE_CODES, type Message, type RealtimeEvent } from '@suportra/protocol'
import {
  api,
  createUser,
  DEMO,
  openSocket,
  signIn,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { addBuilder } from '../src/admin/commands.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ resumeWindow: 50, authTimeoutMs: 300, heartbeatMs: 200 })
})
afterAll(() => server.close())

const isMessage = (event: RealtimeEvent): event is Extract<RealtimeEvent, { type: 'message' }> =>
  event.type === 'message'

async function activeSession() {
  const user = await createUser(server, { credits: 1 })
  const builder = await signIn(server.url, DEMO.builder.email)
  const started = await api(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'lovable', topic: 'Auth redirect loop' },
  })
  const id: string = started.body.session.id
  await api(server.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: builder.accessToken })
  return { user, builder, id }
}

function send(token: string, sessionId: string, id: string, text = id) {
  return api(server.url, 'POST', `/v1/sessions/${sessionId}/messages`, { token, body: { id, text } })
}

describe('authentication', () => {
  test('the token travels in the first frame and the socket becomes ready', async () => {
    const user = await createUser(server)
    const socket = await openSocket(server.url, user.accessToken)
    expect(socket.events[0]).toMatchObject({ type: 'ready', userId: user.user.id })
    socket.close()
  })

  test.each([
    ['a garbage token', 'not-a-jwt', CLOSE_CODES.unauthorized],
    ['a non-auth first frame', null, CLOSE_CODES.protocolError],
  ])('%s closes the socket', async (_, token, code) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/realtime`)
    await new Promise((resolve) => ws.once('open', resolve))
    ws.send(JSON.stringify(token === null ? { type: 'ping' } : { type: 'auth', token }))
    const closed = await new Promise<number>((resolve) => ws.once('close', resolve))
    expect(closed).toBe(code)
  })

  test('a socket that never authenticates is closed after the timeout', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/realtime`)
    const code = await new Promise<number>((resolve) => ws.once('close', resolve))
    expect(code).toBe(CLOSE_CODES.authTimeout)
  })

  test('signing out closes that sign-in’s sockets with "revoked" and leaves other sign-ins open', async () => {
    const user = await createUser(server)
    const other = await signIn(server.url, (user.user.email ?? '') as string)
    const a = await openSocket(server.url, user.accessToken)
    const b = await openSocket(server.url, other.accessToken)
    await api(server.url, 'POST', '/v1/auth/sign-out', { token: user.accessToken })
    expect(await a.closed).toBe(CLOSE_CODES.revoked)
    await b.next((e) => e.type === 'pong' || e.type === 'ready')
    expect(b.ws.readyState).toBe(WebSocket.OPEN)
    b.close()
  })

  test('a socket from an origin the app does not allow is refused', async () => {
    const user = await createUser(server)
    const socket = await openSocket(server.url, user.accessToken, {
      origin: 'https://evil.example',
      waitReady: false,
    })
    expect(await socket.closed).toBe(CLOSE_CODES.revoked)
  })
})

describe('delivery', () => {
  test('both participants hear messages, typing, read marks and session changes', async () => {
    const { user, builder, id } = await activeSession()
    const userSocket = await openSocket(server.url, user.accessToken)
    const builderSocket = await openSocket(server.url, builder.accessToken)

    await send(user.accessToken, id, 'hello-0001', 'My build is red')
    const received = await builderSocket.next(isMessage)
    expect(received.message).toMatchObject({
      clientId: 'hello-0001',
      body: 'My build is red',
      author: 'user',
    })

    await api(server.url, 'POST', `/v1/sessions/${id}/typing`, { token: builder.accessToken })
    expect(await userSocket.next((e) => e.type === 'typing')).toMatchObject({
      sessionId: id,
      author: 'builder',
    })

    await api(server.url, 'POST', `/v1/sessions/${id}/read`, {
      token: builder.accessToken,
      body: { seq: received.message.seq },
    })
    expect(await userSocket.next((e) => e.type === 'read')).toMatchObject({
      author: 'builder',
      seq: received.message.seq,
    })

    await api(server.url, 'POST', `/v1/sessions/${id}/close`, { token: builder.accessToken })
    const closed = await userSocket.next((e) => e.type === 'session' && e.session.status === 'closed')
    expect(closed).toBeTruthy()
    userSocket.close()
    builderSocket.close()
  })

  test('builders hear the queue; the user hears the hold on their credits', async () => {
    const user = await createUser(server, { credits: 2 })
    const builder = await signIn(server.url, DEMO.builder.email)
    const builderSocket = await openSocket(server.url, builder.accessToken)
    const userSocket = await openSocket(server.url, user.accessToken)
    const started = await api(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'bolt', topic: 'x' },
    })
    const added = await builderSocket.next((e) => e.type === 'queue' && e.action === 'added')
    expect(added).toMatchObject({ session: { id: started.body.session.id } })
    expect(await userSocket.next((e) => e.type === 'credits')).toEqual({ type: 'credits', balance: 1 })
    await api(server.url, 'POST', `/v1/builder/sessions/${started.body.session.id}/claim`, {
      token: builder.accessToken,
    })
    await builderSocket.next((e) => e.type === 'queue' && e.action === 'removed')
    builderSocket.close()
    userSocket.close()
  })

  test("only builders who cover a session's tool hear it enter and leave the queue", async () => {
    const email = `bolt-only-${Date.now()}@example.com`
    await addBuilder(server.current.context, {
      name: 'Bo',
      email,
      password: DEMO.builder.password,
      tools: ['bolt'],
    })
    const boltOnly = await openSocket(server.url, (await signIn(server.url, email)).accessToken)
    const builder = await signIn(server.url, DEMO.builder.email)
    const covering = await openSocket(server.url, builder.accessToken)
    const user = await createUser(server, { credits: 2 })
    const start = (tool: string) =>
      api(server.url, 'POST', '/v1/sessions', { token: user.accessToken, body: { tool, topic: 'x' } })

    const cursor = (await start('cursor')).body.session.id as string
    await covering.next((e) => e.type === 'queue' && e.action === 'added' && e.session.id === cursor)
    await api(server.url, 'POST', `/v1/builder/sessions/${cursor}/claim`, { token: builder.accessToken })
    await covering.next((e) => e.type === 'queue' && e.action === 'removed' && e.session.id === cursor)
    // Control: the bolt-only builder's socket works and hears a bolt session.
    const bolt = (await start('bolt')).body.session.id as string
    await boltOnly.next((e) => e.type === 'queue' && e.session.id === bolt)
    expect(JSON.stringify(boltOnly.events)).not.toContain(cursor)
    boltOnly.close()
    covering.close()
  })

  test('another user hears nothing of a session that is not theirs', async () => {
    const { user, id } = await activeSession()
    const stranger = await createUser(server)
    const socket = await openSocket(server.url, stranger.accessToken)
    await send(user.accessToken, id, 'private-0001')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(socket.events.filter((e) => e.type !== 'ready')).toEqual([])
    socket.close()
  })
})

describe('resume', () => {
  test('a dropped socket resumes and receives exactly the missed messages, in order', async () => {
    const { user, builder, id } = await activeSession()
    const first = await openSocket(server.url, user.accessToken)
    await send(builder.accessToken, id, 'before-drop')
    const seen = await first.next((e) => isMessage(e) && e.message.clientId === 'before-drop')
    const lastSeq = (seen as Extract<RealtimeEvent, { type: 'message' }>).message.seq
    first.ws.terminate()

    const missed: Message[] = []
    for (let i = 0; i < 20; i++)
      missed.push((await send(builder.accessToken, id, `missed-${String(i).padStart(4, '0')}`)).body.message)

    const second = await openSocket(server.url, user.accessToken, { resume: { [id]: lastSeq } })
    const replayed = second.events.filter(isMessage).map((e) => e.message)
    expect(replayed.map((m) => m.seq)).toEqual(missed.map((m) => m.seq))
    expect(replayed.map((m) => m.clientId)).toEqual(missed.map((m) => m.clientId))
    // The replay comes before `ready`, and live delivery continues afterwards without duplicates.
    expect(second.events.at(-1)?.type).toBe('ready')
    await send(builder.accessToken, id, 'after-resume')
    await second.next((e) => isMessage(e) && e.message.clientId === 'after-resume')
    const ids = second.events.filter(isMessage).map((e) => e.message.id)
    expect(new Set(ids).size).toBe(ids.length)
    second.close()
  })

  test('a session closed while the socket was down: the replay carries the close, in order', async () => {
    const { user, builder, id } = await activeSession()
    const first = await openSocket(server.url, user.accessToken)
    await send(builder.accessToken, id, 'before-close-drop')
    const seen = await first.next((e) => isMessage(e) && e.message.clientId === 'before-close-drop')
    const lastSeq = (seen as Extract<RealtimeEvent, { type: 'message' }>).message.seq
    first.ws.terminate()

    const last = (await send(builder.accessToken, id, 'last-words')).body.message as Message
    expect(
      (await api(server.url, 'POST', `/v1/sessions/${id}/close`, { token: builder.accessToken })).status,
    ).toBe(200)

    const second = await openSocket(server.url, user.accessToken, { resume: { [id]: lastSeq } })
    const replayed = second.events.filter(isMessage).map((e) => e.message)
    expect(replayed.map((m) => [m.seq, m.kind, m.body])).toEqual([
      [last.seq, 'text', 'last-words'],
      [last.seq + 1, 'event', 'closed'],
    ])
    expect(second.events.map((e) => e.type)).toEqual(['message', 'message', 'ready'])
    // The session itself now says closed (the client reloads it on `ready`).
    const now = await api(server.url, 'GET', `/v1/sessions/${id}`, { token: user.accessToken })
    expect(now.body.session).toMatchObject({ status: 'closed', lastSeq: last.seq + 1 })
    second.close()
  })

  test('messages sent while the replay runs are neither lost nor doubled', async () => {
    const { user, builder, id } = await activeSession()
    const sends = Array.from({ length: 40 }, (_, i) =>
      send(builder.accessToken, id, `race-${String(i).padStart(4, '0')}`),
    )
    const socket = await openSocket(server.url, user.accessToken, { resume: { [id]: 0 } })
    await Promise.all(sends)
    const lastSeq = 2 + 40 // started + claimed + 40 messages
    await socket.next((e) => isMessage(e) && e.message.seq === lastSeq)
    const seqs = socket.events.filter(isMessage).map((e) => e.message.seq)
    expect(new Set(seqs).size).toBe(seqs.length)
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1))
    socket.close()
  })

  test('beyond the resume window the client is told continuity was lost', async () => {
    const { user, builder, id } = await activeSession()
    for (let i = 0; i < 60; i++) await send(builder.accessToken, id, `flood-${String(i).padStart(4, '0')}`)
    const socket = await openSocket(server.url, user.accessToken, { resume: { [id]: 0 } })
    expect(socket.events.filter(isMessage)).toEqual([])
    expect(socket.events).toContainEqual({
      type: 'continuity_lost',
      sessionId: id,
      reason: 'resume_window_exceeded',
    })
    socket.close()
  })

  test('resuming a session that is not yours reveals nothing', async () => {
    const { id } = await activeSession()
    const stranger = await createUser(server)
    const socket = await openSocket(server.url, stranger.accessToken, { resume: { [id]: 0 } })
    expect(socket.events.filter(isMessage)).toEqual([])
    expect(socket.events).toContainEqual({ type: 'continuity_lost', sessionId: id, reason: 'not_found' })
    socket.close()
  })
})

describe('heartbeats', () => {
  test('the client can ping; a socket that stops answering server pings is dropped', async () => {
    const user = await createUser(server)
    const socket = await openSocket(server.url, user.accessToken, { autoPong: false })
    socket.ws.send(JSON.stringify({ type: 'ping' }))
    await socket.next((e) => e.type === 'pong')
    const code = await socket.closed
    expect(code).toBe(1006)
  })
})

import type { RealtimeEvent, Tool } from '@suportra/protocol'
import { api, createUser, openSocket, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createLogger } from '../src/log.js'

// Issue 19: in development and tests the server checks what it sends against the protocol, so a
// handler that answers a wrong shape fails the test that called it. The wrong shape here is real: the
// tools list is served as configured, and a tool without a name breaks `ToolsResponse`.
const nameless = [{ id: 'cursor' }] as unknown as Tool[]

/** An event the hub delivers as domain code publishes it, with a balance that is not a number. */
const wrongCredits = { type: 'credits', balance: 'plenty' } as unknown as RealtimeEvent

describe('in test mode (the default under Vitest)', () => {
  const lines: Record<string, unknown>[] = []
  let server: TestServer
  beforeAll(async () => {
    const logger = createLogger('error', { write: (line) => lines.push(JSON.parse(line)) })
    server = await startTestServer({ tools: nameless, logger })
  })
  afterAll(() => server.close())

  test('a response of the wrong shape becomes a 500 naming the route and the field, and is logged', async () => {
    const result = await api(server.url, 'GET', '/v1/tools')
    expect(result.status).toBe(500)
    expect(result.body).toEqual({
      error: {
        code: 'server',
        message:
          'Response does not match the protocol: GET /v1/tools: tools.0.name: Invalid input: expected string, received undefined',
      },
    })
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'response does not match the protocol',
        route: 'GET /v1/tools',
        status: 200,
        shape: { tools: [{ id: 'string' }, 1] },
      }),
    )
  })

  test('responses of the right shape, errors included, pass untouched', async () => {
    const user = await createUser(server)
    const me = await api(server.url, 'GET', '/v1/me', { token: user.accessToken })
    expect([me.status, me.body.user.id]).toEqual([200, user.user.id])
    const missing = await api(server.url, 'GET', '/v1/sessions/ses_nope', { token: user.accessToken })
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found'])
    const nowhere = await api(server.url, 'GET', '/v1/nowhere')
    expect([nowhere.status, nowhere.body.error.code]).toEqual([404, 'not_found'])
  })

  test('a file is not a protocol body: a JSON file a user uploaded downloads as it is', async () => {
    const user = await createUser(server, { credits: 1 })
    const started = await api(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'cursor', topic: 'A JSON file' },
    })
    expect(started.status).toBe(201)
    const file = '{"tools":"not a list"}'
    const uploaded = await api(
      server.url,
      'POST',
      `/v1/sessions/${started.body.session.id}/attachments?name=data.json`,
      { token: user.accessToken, raw: file, headers: { 'content-type': 'application/json' } },
    )
    expect(uploaded.status).toBe(201)
    const download = await fetch(`${server.url}/v1/attachments/${uploaded.body.attachment.id}`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    })
    expect([download.status, download.headers.get('content-type'), await download.text()]).toEqual([
      200,
      'application/json',
      file,
    ])
  })

  test('a realtime frame of the wrong shape reaches the client as a server error instead', async () => {
    const user = await createUser(server)
    const socket = await openSocket(server.url, user.accessToken)
    server.current.context.bus.publish({ kind: 'event', users: [user.user.id], event: wrongCredits })
    const error = await socket.next((event) => event.type === 'error')
    expect(error).toEqual({
      type: 'error',
      code: 'server',
      message:
        'Frame does not match the protocol: credits: balance: Invalid input: expected number, received string',
    })
    expect(socket.events.some((event) => event.type === 'credits')).toBe(false)
    socket.close()
  })
})

describe('with the check off (production)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ tools: nameless, checkResponses: false })
  })
  afterAll(() => server.close())

  test('the same wrong response passes as it is', async () => {
    const result = await api(server.url, 'GET', '/v1/tools')
    expect([result.status, result.body]).toEqual([200, { tools: [{ id: 'cursor' }] }])
  })

  test('the same wrong frame passes as it is', async () => {
    const user = await createUser(server)
    const socket = await openSocket(server.url, user.accessToken)
    server.current.context.bus.publish({ kind: 'event', users: [user.user.id], event: wrongCredits })
    expect(await socket.next((event) => event.type === 'credits')).toEqual(wrongCredits)
    socket.close()
  })
})

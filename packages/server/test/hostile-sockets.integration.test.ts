import { randomBytes } from 'node:crypto'
import { CLOSE_CODES, type RealtimeEvent } from '@suportra/protocol'
import {
  api,
  createUser,
  frame,
  openSocket,
  rawExchange,
  rawSocket,
  startTestServer,
  type TestServer,
  textFrame,
} from '@suportra/server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createLogger } from '../src/log.js'

// Issue 17: one malformed WebSocket frame used to end the whole process (an `error` event on a
// socket nobody listened to). Each case sends one hostile input over a raw TCP socket and checks
// the close code (or HTTP status) it gets, that nothing was thrown anywhere in the process, and
// that the server still answers.

const uncaught: unknown[] = []
const record = (error: unknown) => uncaught.push(error)
let server: TestServer
let token: string

beforeAll(async () => {
  process.on('uncaughtException', record)
  server = await startTestServer({ authTimeoutMs: 1_000 })
  token = (await createUser(server)).accessToken
})
afterAll(async () => {
  process.off('uncaughtException', record)
  await server.close()
})
afterEach(async () => {
  const thrown = uncaught.splice(0).map(String)
  expect(thrown, 'nothing the client sent was thrown in the server process').toEqual([])
  expect((await api(server.url, 'GET', '/health')).status).toBe(200)
})

/** A raw socket that has authenticated and got `ready`. */
async function signedInRaw(url = server.url, bearer = token, localAddress?: string) {
  const raw = await rawSocket(url, localAddress ? { localAddress } : {})
  raw.write(textFrame(JSON.stringify({ type: 'auth', token: bearer })))
  await raw.text('"ready"')
  return raw
}

const resume = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`ses_${i}`, i]))
const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) })

/** Inputs a browser or `ws` never sends, and the close code each must get. */
const BAD_FRAMES: [string, number, () => Buffer][] = [
  ['a text frame with invalid UTF-8', 1007, () => frame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
  ['an unmasked frame', 1002, () => frame(1, '{"type":"ping"}', { mask: false })],
  ['a frame announcing more than 64 KiB', 1009, () => frame(1, 'x', { declaredLength: 70_000 })],
  ['a frame announcing 2^53 bytes', 1009, () => frame(1, 'x', { declaredLength: 2 ** 53 })],
  ['RSV1 set (no extension was agreed)', 1002, () => frame(1, '{}', { rsv: 0x40 })],
  ['RSV2 set', 1002, () => frame(1, '{}', { rsv: 0x20 })],
  ['RSV3 set', 1002, () => frame(1, '{}', { rsv: 0x10 })],
  ['reserved data opcode 3', 1002, () => frame(3, 'x')],
  ['reserved control opcode 11', 1002, () => frame(11, 'x')],
  ['a fragmented ping (control frames cannot be fragmented)', 1002, () => frame(9, 'x', { fin: false })],
  ['a ping longer than 125 bytes', 1002, () => frame(9, 'x'.repeat(126))],
  ['a continuation frame with nothing to continue', 1002, () => frame(0, 'x')],
  ['a close frame with a reserved code (1005)', 1002, () => frame(8, Buffer.from([0x03, 0xed]))],
  ['a close frame whose reason is invalid UTF-8', 1007, () => frame(8, Buffer.from([0x03, 0xe8, 0xff]))],
  [
    'a message in 65 fragments',
    1008,
    () =>
      Buffer.concat([
        frame(1, '{', { fin: false }),
        ...Array.from({ length: 63 }, () => frame(0, ' ', { fin: false })),
        frame(0, '}'),
      ]),
  ],
  ['a binary frame (the protocol is JSON text)', 1003, () => frame(2, randomBytes(64))],
]

describe('before authenticating, a protocol violation closes that socket with its code', () => {
  test.each(BAD_FRAMES)('%s → %i', async (_name, code, bytes) => {
    const raw = await rawSocket(server.url)
    expect(raw.status).toBe(101)
    raw.write(bytes())
    expect(await raw.closed).toBe(code)
  })

  test.each([
    [
      'an auth frame over 16 KiB (a long resume list)',
      1009,
      { type: 'auth', token: 'x', resume: resume(2_000) },
    ],
    ['a deeply nested auth frame', 4000, { type: 'auth', token: 'x', resume: { a: nested(1_500) } }],
    ['a first frame that is not an auth frame', CLOSE_CODES.protocolError, { type: 'ping' }],
  ])('%s → %i, answered cheaply', async (_name, code, value) => {
    const raw = await rawSocket(server.url)
    const text = JSON.stringify(value)
    raw.write(textFrame(text))
    expect(await raw.closed).toBe(code)
  })

  test('a first frame that is not JSON → 4000', async () => {
    const raw = await rawSocket(server.url)
    raw.write(textFrame('\u0000{not json'))
    expect(await raw.closed).toBe(CLOSE_CODES.protocolError)
  })

  test('random bytes after the handshake close the socket', async () => {
    for (let i = 0; i < 20; i++) {
      const raw = await rawSocket(server.url)
      raw.write(randomBytes(256))
      // Whatever the bytes happen to say, the socket ends: a protocol error, or the auth timeout.
      expect([1002, 1003, 1007, 1008, 1009, 4000, 4008, 4029]).toContain(await raw.closed)
    }
  })

  test('a truncated frame: the socket waits for the rest, then times out', async () => {
    const raw = await rawSocket(server.url)
    raw.write(frame(1, 'x'.repeat(200)).subarray(0, 60))
    expect(await raw.closed).toBe(CLOSE_CODES.authTimeout)
  })

  test('a truncated frame followed by the end of the connection', async () => {
    const raw = await rawSocket(server.url)
    raw.socket.end(frame(1, 'x'.repeat(200)).subarray(0, 60))
    expect(await raw.closed).toBe(1006)
  })
})

describe('after authenticating', () => {
  test.each(BAD_FRAMES.filter(([name]) => !name.includes('close frame')))(
    '%s → %i',
    async (_n, code, bytes) => {
      const raw = await signedInRaw()
      raw.write(bytes())
      expect(await raw.closed).toBe(code)
    },
  )

  test('an unknown frame gets an error and the socket stays open; a long one is not even read', async () => {
    const raw = await signedInRaw()
    raw.write(textFrame(JSON.stringify({ type: 'shout' })))
    raw.write(textFrame(JSON.stringify({ type: 'auth', token: 'x'.repeat(4_000), pad: 'y'.repeat(10_000) })))
    raw.write(textFrame('{"type":"ping"}'))
    await raw.text('"pong"')
    expect(raw.texts.filter((t) => t.includes('"validation"'))).toHaveLength(2)
    raw.destroy()
  })

  test('a flood of ping frames is closed with 4029 after 20 in a second', async () => {
    const raw = await signedInRaw()
    raw.write(Buffer.concat(Array.from({ length: 100 }, () => textFrame('{"type":"ping"}'))))
    expect(await raw.closed).toBe(CLOSE_CODES.rateLimited)
    expect(raw.texts.filter((t) => t.includes('"pong"')).length).toBeLessThanOrEqual(20)
  })

  test('a flood of WebSocket ping control frames is closed with 4029 too', async () => {
    const raw = await signedInRaw()
    raw.write(Buffer.concat(Array.from({ length: 100 }, () => frame(9, 'x'))))
    expect(await raw.closed).toBe(CLOSE_CODES.rateLimited)
  })

  test('a client pinging once a second is never limited', async () => {
    const socket = await openSocket(server.url, token)
    for (let i = 0; i < 3; i++) {
      socket.ws.send('{"type":"ping"}')
      socket.ws.ping()
      await new Promise((resolve) => setTimeout(resolve, 1_000))
    }
    expect(socket.events.filter((e) => e.type === 'pong')).toHaveLength(3)
    expect(socket.ws.readyState).toBe(socket.ws.OPEN)
    socket.close()
  })
})

describe('handshakes', () => {
  const upgrade = (path: string, headers = '') =>
    `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${headers}\r\n`
  const key = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'

  test.each([
    ['bytes that are not HTTP', 400, randomBytes(512)],
    ['an upgrade with no key', 400, upgrade('/v1/realtime', 'Sec-WebSocket-Version: 13\r\n')],
    ['an upgrade with a bad version', 400, upgrade('/v1/realtime', `${key}Sec-WebSocket-Version: 7\r\n`)],
    ['an upgrade elsewhere', 404, upgrade('/v1/other', `${key}Sec-WebSocket-Version: 13\r\n`)],
    ['an upgrade to a target URL parsers reject', 404, upgrade('//[', `${key}Sec-WebSocket-Version: 13\r\n`)],
    [
      'an upgrade with a POST',
      405,
      upgrade('/v1/realtime', `${key}Sec-WebSocket-Version: 13\r\n`).replace('GET', 'POST'),
    ],
    ['headers over 16 KiB', 431, upgrade('/v1/realtime', `X-Pad: ${'a'.repeat(20_000)}\r\n`)],
  ])('%s → HTTP %i', async (_name, status, request) => {
    const answer = await rawExchange(server.url, request)
    expect(answer.split(' ')[1]).toBe(String(status))
  })

  test('a handshake left half-written, then abandoned', async () => {
    const raw = rawExchange(server.url, 'GET /v1/realtime HTTP/1.1\r\nHost: x\r\nUpgrade: websock')
    await new Promise((resolve) => setTimeout(resolve, 100))
    const socket = await openSocket(server.url, token)
    socket.close()
    // The server ends the unfinished request itself after its headers timeout; nothing to wait for here.
    void raw
  })
})

describe('caps', () => {
  let capped: TestServer
  beforeAll(async () => {
    capped = await startTestServer({ socketsPerUser: 3, socketsPerIp: 6, unauthenticatedSocketsPerIp: 2 })
  })
  afterAll(() => capped.close())

  test('a user’s socket beyond socketsPerUser is closed with 4029; one frees a place', async () => {
    const user = await createUser(capped)
    // One after the other: the cap on unauthenticated sockets per address is 2 here.
    const open = []
    for (let i = 0; i < 3; i++) open.push(await openSocket(capped.url, user.accessToken))
    const fourth = await openSocket(capped.url, user.accessToken, { waitReady: false })
    expect(await fourth.closed).toBe(CLOSE_CODES.rateLimited)
    expect(fourth.events.some((e: RealtimeEvent) => e.type === 'ready')).toBe(false)
    open[0]?.close()
    await open[0]?.closed
    const again = await openSocket(capped.url, user.accessToken)
    for (const socket of [...open.slice(1), again]) socket.close()
  })

  test('unauthenticated sockets beyond the cap from one address get 4029; another address is not affected', async () => {
    const idle = [await rawSocket(capped.url, { localAddress: '127.0.0.2' })]
    idle.push(await rawSocket(capped.url, { localAddress: '127.0.0.2' }))
    const third = await rawSocket(capped.url, { localAddress: '127.0.0.2' })
    expect(await third.closed).toBe(CLOSE_CODES.rateLimited)
    const user = await createUser(capped)
    const other = await signedInRaw(capped.url, user.accessToken, '127.0.0.3')
    for (const raw of [...idle, other]) raw.destroy()
  })

  test('sockets beyond socketsPerIp from one address get 4029 before they can authenticate', async () => {
    const users = await Promise.all([createUser(capped), createUser(capped)])
    const open = []
    for (const user of users)
      for (let i = 0; i < 3; i++) open.push(await signedInRaw(capped.url, user.accessToken, '127.0.0.4'))
    const seventh = await rawSocket(capped.url, { localAddress: '127.0.0.4' })
    expect(await seventh.closed).toBe(CLOSE_CODES.rateLimited)
    for (const raw of open) raw.destroy()
  })
})

describe('logs', () => {
  const lines: { level: number; msg: string; err?: string; reason?: string; stack?: string }[] = []
  let logged: TestServer
  beforeAll(async () => {
    logged = await startTestServer({
      logger: createLogger('debug', { write: (line) => void lines.push(JSON.parse(line)) }),
    })
  })
  afterAll(() => logged.close())

  test('each hostile socket is logged once, at info, without a stack trace', async () => {
    const user = await createUser(logged)
    const before = lines.length
    const utf8 = await rawSocket(logged.url)
    utf8.write(frame(1, Buffer.from([0xff, 0xfe])))
    await utf8.closed
    const flood = await signedInRaw(logged.url, user.accessToken)
    flood.write(Buffer.concat(Array.from({ length: 200 }, () => textFrame('{"type":"ping"}'))))
    await flood.closed
    const realtime = lines.slice(before).filter((l) => l.msg.startsWith('realtime'))
    expect(realtime.map(({ level, msg, err, reason }) => ({ level, msg, err, reason }))).toEqual([
      { level: 30, msg: 'realtime protocol error', err: 'WS_ERR_INVALID_UTF8', reason: expect.any(String) },
      { level: 30, msg: 'realtime socket closed', err: undefined, reason: 'too many frames' },
    ])
    expect(JSON.stringify(realtime)).not.toContain('"stack"')
  })
})

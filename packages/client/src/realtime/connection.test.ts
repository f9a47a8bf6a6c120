import { CLOSE_CODES } from '@suportra/protocol'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { FakeWebSocket, fakePage } from '../../test/fakes.js'
import { SuportraError } from '../core/errors.js'
import {
  type Connection,
  type ConnectionChange,
  type ConnectionDeps,
  createConnection,
  GOING_AWAY,
  RATE_LIMITED,
  REVOKED,
  SILENCE_MS,
  UNAUTHORIZED,
} from './connection.js'

/** The waits between attempts at the middle of their jitter (random() = 0.5). */
const BACKOFF_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000]
const FIRST = BACKOFF_MS[0] as number
const flush = () => vi.advanceTimersByTimeAsync(0)
const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms)
const ready = (heartbeatMs = 30_000) => ({ type: 'ready', userId: 'usr_me', heartbeatMs, resumeWindow: 100 })
const connections: Connection[] = []

function setup(overrides: Partial<ConnectionDeps> = {}) {
  const sockets: FakeWebSocket[] = []
  const changes: ConnectionChange[] = []
  const deps = {
    url: 'wss://api.test/v1/realtime',
    WebSocket: class extends FakeWebSocket {
      constructor(url: string) {
        super(url)
        sockets.push(this)
      }
    },
    token: vi.fn(async () => 'tok_1'),
    refresh: vi.fn(async () => 'tok_2'),
    resume: () => ({ ses_1: 7 }),
    onEvent: vi.fn(),
    onChange: (change: ConnectionChange) => void changes.push(change),
    onRevoked: vi.fn(),
    onError: vi.fn(),
    random: () => 0.5,
    ...overrides,
  }
  const connection = createConnection(deps)
  connections.push(connection)
  const last = () => sockets.at(-1) as FakeWebSocket
  /** Retains the connection and lets it fetch a token and create a socket. */
  async function connect() {
    const release = connection.retain()
    await flush()
    return release
  }
  /** Retains the connection and brings it to `open`. */
  async function open(heartbeatMs?: number) {
    const release = await connect()
    last().open()
    last().message(ready(heartbeatMs))
    return { ws: last(), release }
  }
  const retryIn = () => changes.at(-1)?.retryIn as number
  return { connection, deps, sockets, changes, last, connect, open, retryIn }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  for (const connection of connections.splice(0)) connection.destroy()
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('connecting', () => {
  test('opens no socket until something needs realtime, and none while disabled', async () => {
    const t = setup()
    await wait(5_000)
    expect(t.sockets).toHaveLength(0)
    expect(t.connection.status).toBe('idle')

    t.connection.disable()
    await t.connect()
    await wait(5_000)
    expect(t.sockets).toHaveLength(0)

    t.connection.start()
    await flush()
    expect(t.sockets).toHaveLength(1)
  })

  test('authenticates with its first frame, sending the token and where to resume from', async () => {
    const t = setup()
    await t.connect()
    t.last().open()
    expect(t.last().url).toBe('wss://api.test/v1/realtime')
    expect(t.last().sent).toEqual([{ type: 'auth', token: 'tok_1', resume: { ses_1: 7 } }])
  })

  test('reports connecting, then open once the server is ready', async () => {
    const t = setup()
    await t.open()
    expect(t.connection.status).toBe('open')
    expect(t.changes).toEqual([
      { current: 'connecting', previous: 'idle' },
      { current: 'open', previous: 'connecting' },
    ])
    expect(t.deps.onEvent).toHaveBeenCalledWith(expect.objectContaining({ type: 'ready' }))
  })

  test('reports reconnecting, not connecting, after having been open', async () => {
    const t = setup()
    const { ws } = await t.open()
    ws.closed(1006)
    expect(t.changes.at(-1)).toMatchObject({ current: 'reconnecting', previous: 'open', retryIn: FIRST })
    await wait(FIRST)
    expect(t.connection.status).toBe('reconnecting')
    t.last().open()
    t.last().message(ready())
    expect(t.changes.at(-1)).toEqual({ current: 'open', previous: 'reconnecting' })
  })
})

describe('backoff', () => {
  test('waits longer after each consecutive failure, following BACKOFF_MS', async () => {
    const t = setup()
    await t.connect()
    const delays: number[] = []
    for (let i = 0; i <= BACKOFF_MS.length; i++) {
      t.last().closed(1006)
      delays.push(t.retryIn())
      await wait(t.retryIn() - 1)
      expect(t.sockets).toHaveLength(i + 1)
      await wait(1)
      expect(t.sockets).toHaveLength(i + 2)
    }
    expect(delays).toEqual([...BACKOFF_MS, BACKOFF_MS.at(-1)])
  })

  test.each([0, 0.5, 0.99])(
    'spreads retries by up to a quarter either way (random() = %s)',
    async (random) => {
      const t = setup({ random: () => random })
      await t.connect()
      t.last().closed(1006)
      expect(t.retryIn()).toBe(Math.round(FIRST * (0.75 + random * 0.5)))
      await wait(t.retryIn())
      t.last().closed(4029)
      expect(t.retryIn()).toBe(Math.round(15_000 * (0.75 + random * 0.5)))
    },
  )

  test('draws its jitter from Math.random() unless given a source', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const t = setup({ random: undefined })
    await t.connect()
    t.last().closed(1006)
    expect(random).toHaveBeenCalled()
    expect(t.retryIn()).toBe(FIRST)
  })

  test('starts again from the shortest delay after a successful connection', async () => {
    const t = setup()
    await t.connect()
    t.last().closed(1006)
    await wait(FIRST)
    t.last().closed(1006)
    expect(t.retryIn()).toBe(BACKOFF_MS[1])
    await wait(t.retryIn())
    t.last().open()
    t.last().message(ready())
    t.last().closed(1006)
    expect(t.retryIn()).toBe(FIRST)
  })
})

describe('authentication', () => {
  test('acts on the close codes of the protocol', () => {
    expect({ GOING_AWAY, UNAUTHORIZED, REVOKED, RATE_LIMITED }).toEqual({
      GOING_AWAY: CLOSE_CODES.goingAway,
      UNAUTHORIZED: CLOSE_CODES.unauthorized,
      REVOKED: CLOSE_CODES.revoked,
      RATE_LIMITED: CLOSE_CODES.rateLimited,
    })
  })

  test('a server restart (1012) or going away (1001) reconnects without an error; any other close reports one', async () => {
    const codes = new Set([...Array.from({ length: 16 }, (_, i) => 1000 + i), ...Object.values(CLOSE_CODES)])
    codes.delete(UNAUTHORIZED) // refresh and retry (tested below)
    codes.delete(REVOKED)
    const t = setup()
    const silent: number[] = []
    for (const code of codes) {
      const { ws } = await t.open()
      ws.closed(code)
      const change = t.changes.at(-1)
      expect(change?.current).toBe('reconnecting')
      if (!change?.error) silent.push(code)
      await wait(t.retryIn())
    }
    expect(silent).toEqual([CLOSE_CODES.goingAway, CLOSE_CODES.serviceRestart])
    expect(t.deps.onError).not.toHaveBeenCalled()
  })

  test('answers reauth with a fresh token on the same socket, silently', async () => {
    const token = vi.fn().mockResolvedValueOnce('tok_1').mockResolvedValue('tok_2')
    const t = setup({ token })
    const { ws } = await t.open()
    const changes = t.changes.length
    ws.message({ type: 'reauth' })
    await flush()
    expect(ws.sent.at(-1)).toEqual({ type: 'auth', token: 'tok_2' })
    expect(t.sockets).toHaveLength(1)
    expect(t.changes).toHaveLength(changes)
    expect(t.deps.onError).not.toHaveBeenCalled()
    // Again at the next expiry: the socket never closes.
    ws.message({ type: 'reauth' })
    await flush()
    expect(ws.sent.filter((frame) => (frame as { type: string }).type === 'auth')).toHaveLength(3)
    expect(t.connection.status).toBe('open')
  })

  test('without a fresh token it sends nothing; the server’s 4001 then refreshes and reconnects', async () => {
    const token = vi.fn().mockResolvedValueOnce('tok_1').mockRejectedValueOnce(new SuportraError('network'))
    token.mockResolvedValue('tok_3')
    const t = setup({ token })
    const { ws } = await t.open()
    ws.message({ type: 'reauth' })
    await flush()
    expect(ws.sent.filter((frame) => (frame as { type: string }).type === 'auth')).toHaveLength(1)
    ws.closed(4001)
    expect(t.deps.refresh).toHaveBeenCalledWith('tok_1')
    await flush()
    expect(t.sockets).toHaveLength(2)
  })

  test('a token that arrives after the socket closed is not sent on the next one', async () => {
    let resolve: (token: string) => void = () => {}
    const token = vi.fn().mockResolvedValueOnce('tok_1')
    token.mockReturnValueOnce(new Promise<string>((r) => (resolve = r))).mockResolvedValue('tok_1')
    const t = setup({ token })
    const { ws } = await t.open()
    ws.message({ type: 'reauth' })
    ws.closed(1006)
    await wait(t.retryIn())
    resolve('tok_late')
    await flush()
    expect(t.sockets).toHaveLength(2)
    expect(t.last().sent).toEqual([])
  })

  test('too many sockets (4029): retries at the slowest step, never in a tight loop', async () => {
    const t = setup()
    await t.connect()
    t.last().open()
    t.last().closed(4029)
    const slowest = BACKOFF_MS.at(-1) as number
    expect(t.retryIn()).toBe(slowest)
    for (let i = 0; i < 3; i++) {
      await wait(t.retryIn() - 1)
      expect(t.sockets).toHaveLength(i + 1)
      await wait(1)
      t.last().open()
      t.last().closed(4029)
      expect(t.retryIn()).toBe(slowest)
    }
    // Once a socket gets through, the table starts again from the shortest delay.
    await wait(t.retryIn())
    t.last().open()
    t.last().message(ready())
    t.last().closed(1006)
    expect(t.retryIn()).toBe(FIRST)
  })

  test('refreshes a refused token and reconnects at once', async () => {
    const token = vi.fn().mockResolvedValueOnce('tok_old').mockResolvedValue('tok_new')
    const t = setup({ token })
    await t.connect()
    t.last().open()
    t.last().message({ type: 'error', code: 'unauthorized', message: 'Token expired' })
    t.last().closed(4001)
    expect(t.deps.refresh).toHaveBeenCalledWith('tok_old')
    await flush()
    expect(t.sockets).toHaveLength(2)
    t.last().open()
    expect(t.last().sent[0]).toMatchObject({ type: 'auth', token: 'tok_new' })
    expect(t.changes.every((change) => change.retryIn === undefined)).toBe(true)
  })

  test('backs off when the server keeps refusing fresh tokens', async () => {
    const t = setup()
    await t.connect()
    t.last().open()
    t.last().closed(4001)
    await flush()
    t.last().open()
    t.last().closed(4001)
    await flush()
    expect(t.sockets).toHaveLength(2)
    expect(t.retryIn()).toBeGreaterThan(0)
  })

  test('a revoked sign-in is refreshed first: one stored since (another tab, a password reset) reconnects', async () => {
    const token = vi.fn().mockResolvedValueOnce('tok_old').mockResolvedValue('tok_new')
    const t = setup({ token })
    const { ws } = await t.open()
    ws.closed(4003)
    expect(t.deps.refresh).toHaveBeenCalledWith('tok_old')
    expect(t.deps.onRevoked).not.toHaveBeenCalled()
    await flush()
    expect(t.sockets).toHaveLength(2)
    t.last().open()
    expect(t.last().sent[0]).toMatchObject({ type: 'auth', token: 'tok_new' })
    t.last().message(ready())
    expect(t.connection.status).toBe('open')
    // Signed in again: a later revocation is refreshed first again.
    t.last().closed(4003)
    expect(t.deps.refresh).toHaveBeenCalledTimes(2)
    expect(t.deps.onRevoked).not.toHaveBeenCalled()
  })

  test('stops for good when the sign-in is revoked again after the refresh, naming the token refused', async () => {
    const token = vi.fn().mockResolvedValueOnce('tok_1').mockResolvedValue('tok_2')
    const t = setup({ token })
    const { ws } = await t.open()
    ws.closed(4003)
    await flush()
    t.last().open()
    t.last().closed(4003)
    expect(t.deps.onRevoked).toHaveBeenCalledExactlyOnceWith('tok_2')
    expect(t.deps.refresh).toHaveBeenCalledOnce()
    expect(t.connection.status).toBe('idle')
    expect(vi.getTimerCount()).toBe(0)
    await wait(60_000)
    expect(t.sockets).toHaveLength(2)
  })

  test('stops when the refresh after a revocation is refused (the sign-in is over)', async () => {
    const refresh = vi.fn().mockRejectedValue(new SuportraError('unauthorized'))
    const t = setup({ refresh })
    const { ws } = await t.open()
    ws.closed(4003)
    await flush()
    expect(t.connection.status).toBe('idle')
    expect(vi.getTimerCount()).toBe(0)
    await wait(60_000)
    expect(t.sockets).toHaveLength(1)
  })

  test('stops when there is no token because the user is signed out', async () => {
    const token = vi.fn().mockRejectedValueOnce(new SuportraError('unauthorized')).mockResolvedValue('tok_1')
    const t = setup({ token })
    await t.connect()
    expect(t.connection.status).toBe('idle')
    expect(vi.getTimerCount()).toBe(0)
    await wait(60_000)
    expect(t.sockets).toHaveLength(0)

    t.connection.start()
    await flush()
    expect(t.sockets).toHaveLength(1)
  })

  test('backs off when the token cannot be fetched for a network error', async () => {
    const token = vi.fn().mockRejectedValueOnce(new SuportraError('network')).mockResolvedValue('tok_1')
    const t = setup({ token })
    await t.connect()
    expect(t.changes.at(-1)).toMatchObject({
      current: 'connecting',
      retryIn: FIRST,
      error: { code: 'network' },
    })
    await wait(FIRST)
    expect(t.sockets).toHaveLength(1)
  })

  test('backs off with a network error when the socket cannot even be created (CSP, no WebSocket in Node 20)', async () => {
    let refusals = 1
    const t = setup()
    const Allowed = t.deps.WebSocket
    t.deps.WebSocket = class extends Allowed {
      constructor(url: string) {
        if (refusals-- > 0) throw new DOMException('Refused by the Content-Security-Policy', 'SecurityError')
        super(url)
      }
    }
    await t.connect()
    expect(t.sockets).toHaveLength(0)
    expect(t.changes.at(-1)).toMatchObject({
      current: 'connecting',
      retryIn: FIRST,
      error: { code: 'network' },
    })
    expect(t.changes.at(-1)?.error?.cause).toBeInstanceOf(DOMException)
    await wait(FIRST)
    expect(t.sockets).toHaveLength(1)
  })
})

describe('heartbeat', () => {
  test('pings every heartbeatMs while open', async () => {
    const t = setup()
    const { ws } = await t.open(5_000)
    await wait(4_999)
    expect(ws.pings()).toBe(0)
    await wait(1)
    expect(ws.sent.at(-1)).toEqual({ type: 'ping' })
    ws.message({ type: 'pong' })
    await wait(5_000)
    expect(ws.pings()).toBe(2)
  })

  test('closes a socket that stays silent after a ping, then reconnects', async () => {
    const t = setup()
    const { ws } = await t.open(5_000)
    await wait(5_000 + SILENCE_MS - 1)
    expect(ws.closedWith).toBeUndefined()
    await wait(1)
    expect(ws.closedWith).toBeDefined()
    ws.closed(1006)
    await wait(FIRST)
    expect(t.sockets).toHaveLength(2)
  })

  test('does not wait for a dead socket to finish closing before reconnecting', async () => {
    const t = setup()
    const { ws } = await t.open(5_000)
    await wait(5_000 + SILENCE_MS)
    expect(ws.closedWith).toBeDefined()
    // A dead socket's close event comes only after the closing handshake times out (30-60 s), if ever.
    expect(t.connection.status).toBe('reconnecting')
    await wait(BACKOFF_MS[0] as number)
    expect(t.sockets).toHaveLength(2)
  })

  test('counts any frame from the server as a sign of life', async () => {
    const t = setup()
    const { ws } = await t.open(5_000)
    await wait(5_000 + SILENCE_MS - 1)
    ws.message({ type: 'credits', balance: 3 })
    await wait(2_000)
    expect(ws.closedWith).toBeUndefined()
    expect(t.connection.status).toBe('open')
  })

  test('gives up on an attempt that gets no ready in time, and tries again', async () => {
    const t = setup()
    await t.connect()
    t.last().open()
    await wait(SILENCE_MS - 1)
    expect(t.last().closedWith).toBeUndefined()
    await wait(1)
    expect(t.last().closedWith).toBeDefined()
    t.last().closed(1006)
    await wait(FIRST)
    expect(t.sockets).toHaveLength(2)
  })
})

describe('lifecycle', () => {
  test('keeps one socket when a listener leaves and another comes within a second (StrictMode)', async () => {
    const t = setup()
    const { ws, release } = await t.open()
    release()
    release() // a second call of the same release counts once
    const again = t.connection.retain()
    await wait(5_000)
    expect(t.sockets).toHaveLength(1)
    expect(ws.closedWith).toBeUndefined()
    expect(t.connection.status).toBe('open')
    again()
    await wait(1_000)
    expect(ws.closedWith).toBe(1000)
  })

  test('closes the socket a second after the last listener leaves', async () => {
    const t = setup()
    const { ws, release } = await t.open()
    release()
    await wait(999)
    expect(ws.closedWith).toBeUndefined()
    await wait(1)
    expect(ws.closedWith).toBe(1000)
    expect(t.connection.status).toBe('idle')
  })

  test.each<[string, (t: ReturnType<typeof setup>) => Promise<unknown>]>([
    ['open with a ping awaiting its answer', (t) => t.open(5_000).then(() => wait(5_000))],
    ['waiting to retry', (t) => t.open().then(({ ws }) => ws.closed(1006))],
    ['lingering after the last listener left', (t) => t.open().then(({ release }) => release())],
  ])('destroy() closes the socket and leaves no timer behind (%s)', async (_, reach) => {
    const t = setup()
    await reach(t)
    t.connection.destroy()
    expect(vi.getTimerCount()).toBe(0)
    expect(t.sockets.every((ws) => ws.gone || ws.closedWith === 1000)).toBe(true)
    expect(t.connection.status).toBe('idle')
    await wait(60_000)
    expect(t.sockets).toHaveLength(1)
  })

  test.each([
    ['text that is not JSON', 'hello'],
    ['an unknown type', { type: 'surprise' }],
    ['a known type with the wrong shape', { type: 'credits', balance: 'lots' }],
  ])('reports a malformed frame (%s) as a protocol error and stays open', async (_, frame) => {
    const t = setup()
    const { ws } = await t.open()
    ws.message(frame)
    expect(t.deps.onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'protocol' }))
    expect(t.deps.onEvent).toHaveBeenCalledTimes(1) // only `ready`
    expect(ws.closedWith).toBeUndefined()
    expect(t.connection.status).toBe('open')
  })
})

describe('network and page visibility', () => {
  let page: ReturnType<typeof fakePage>
  beforeEach(() => {
    page = fakePage()
  })

  test('going offline closes the socket and waits without retrying', async () => {
    const t = setup()
    const { ws } = await t.open(5_000)
    page.goOffline()
    expect(ws.closedWith).toBeDefined()
    expect(t.changes.at(-1)).toEqual({ current: 'offline', previous: 'open' })
    expect(vi.getTimerCount()).toBe(0)
    await wait(60_000)
    expect(t.sockets).toHaveLength(1)
  })

  test('coming back online reconnects at once', async () => {
    const t = setup()
    await t.open()
    page.goOffline()
    page.goOnline()
    await flush()
    expect(t.sockets).toHaveLength(2)
    expect(t.connection.status).toBe('reconnecting')
  })

  test('waits for the network when there is none to begin with', async () => {
    page.navigator.onLine = false
    const t = setup()
    await t.connect()
    await wait(60_000)
    expect(t.sockets).toHaveLength(0)
    expect(t.connection.status).toBe('offline')
    page.goOnline()
    await flush()
    expect(t.sockets).toHaveLength(1)
  })

  test('becoming visible during backoff reconnects at once', async () => {
    const t = setup()
    const { ws } = await t.open()
    ws.closed(1006)
    page.show('hidden')
    await flush()
    expect(t.sockets).toHaveLength(1)
    page.show('visible')
    await flush()
    expect(t.sockets).toHaveLength(2)
  })

  test('becoming visible while open checks the socket with a ping', async () => {
    const t = setup()
    const { ws } = await t.open()
    page.show('visible')
    expect(ws.sent.at(-1)).toEqual({ type: 'ping' })
  })

  test('stops listening to the page after destroy()', async () => {
    const t = setup()
    await t.open()
    page.goOffline()
    t.connection.destroy()
    page.goOnline()
    page.show('visible')
    await flush()
    expect(t.sockets).toHaveLength(1)
  })
})

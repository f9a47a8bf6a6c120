// The attacker of the hostile-client scenario, in its own process so its work does not slow the
// test process (which runs the two conversations and times /health). It throws malformed and
// abusive input at one server over raw TCP (hand-made frames and handshakes, from
// `@suportra/server/testing`, built), checks that each gets the answer it deserves (a close code
// or an HTTP status), and prints one line: `HOSTILE_RESULT <json>` with the tally per kind.
//
// Sources: every kind comes from its own loopback address (all of 127/8 is local on Linux), so the
// per-IP caps it trips never touch the real clients on 127.0.0.1 nor each other's expectations.
import { connect } from 'node:net'
import { frame, rawExchange, rawSocket, textFrame } from '@suportra/server/testing'

const config = JSON.parse(process.env.HOSTILE ?? '{}')
const { url, app, seed, streamInputs, floodRounds, eve, mallory, crowd, typingSession } = config

// ---- seeded randomness (the same generator as faults/support/sizes.ts) ----
let state = seed >>> 0
function random() {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}
const int = (min, max) => min + Math.floor(random() * (max - min + 1))
const bytes = (n) => Buffer.from(Array.from({ length: n }, () => int(0, 255)))

// ---- the tally ----
/** kind → { inputs, ok, unexpected: { outcome: n }, outcomes: { outcome: n } } */
const tally = {}
function record(kind, outcome, expected, inputs = 1) {
  tally[kind] ??= { inputs: 0, ok: 0, unexpected: {}, outcomes: {} }
  const row = tally[kind]
  row.inputs += inputs
  row.outcomes[outcome] = (row.outcomes[outcome] ?? 0) + 1
  if (expected.includes(outcome)) row.ok++
  else row.unexpected[outcome] = (row.unexpected[outcome] ?? 0) + 1
}

function within(promise, ms) {
  let timer
  return Promise.race([
    promise,
    new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), ms))),
  ]).finally(() => clearTimeout(timer))
}

// ---- sign-in (the attackers are ordinary accounts) ----
async function signIn({ email, password }) {
  const response = await fetch(`${url}/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-suportra-app': app },
    body: JSON.stringify({ email, password }),
  })
  if (!response.ok) throw new Error(`sign-in as ${email}: ${response.status} ${await response.text()}`)
  return (await response.json()).accessToken
}
let eveToken = await signIn(eve)
setInterval(async () => {
  eveToken = await signIn(eve).catch(() => eveToken)
}, 5 * 60_000).unref()

/**
 * Opens a WebSocket by hand from `from`, optionally signs in, writes `input` and resolves with what
 * the server did: its close code (1006 when the connection ended without one), `ready`, an HTTP
 * status, `reset`, or `timeout`.
 */
async function socketInput(from, input, { token, waitMs = 20_000, keep, end } = {}) {
  let raw
  try {
    raw = await within(rawSocket(url, { localAddress: from }), waitMs)
  } catch {
    return 'reset'
  }
  if (raw === 'timeout') return 'timeout'
  try {
    if (raw.status !== 101) return `HTTP ${raw.status}`
    if (token) {
      raw.write(textFrame(JSON.stringify({ type: 'auth', token })))
      const ready = await within(
        Promise.race([raw.text('"ready"', waitMs).then(() => 'ready'), raw.closed]),
        waitMs,
      )
      if (ready !== 'ready') return String(ready)
      if (!input) {
        keep?.push(raw)
        return 'ready'
      }
    }
    if (input) raw.write(input())
    if (end) raw.socket.end()
    return String(await within(raw.closed, waitMs))
  } catch {
    return 'reset'
  } finally {
    if (!keep) raw.destroy()
  }
}

/** Writes `request` on a fresh connection and resolves with the HTTP status the server answered. */
async function handshakeInput(from, request) {
  const answer = await within(rawExchange(url, request, from), 20_000)
  if (answer === 'timeout') return 'timeout'
  const status = answer.split(' ')[1]
  return status ? `HTTP ${status}` : 'no answer'
}

const nested = (depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
const resume = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`ses_${i}`, i]))
const upgrade = (path, headers) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${headers}\r\n`
const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'

/** Malformed frames: [kind, expected outcomes, frame]. Sent first thing, or after signing in. */
const FRAMES = [
  ['invalid UTF-8', ['1007'], () => frame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
  ['unmasked frame', ['1002'], () => frame(1, '{"type":"ping"}', { mask: false })],
  ['frame over 64 KiB (header)', ['1009'], () => frame(1, 'x', { declaredLength: 65_537 + int(0, 1e6) })],
  ['frame length 2^53', ['1009'], () => frame(1, 'x', { declaredLength: 2 ** 53 })],
  ['RSV bits set', ['1002'], () => frame(1, '{}', { rsv: [0x40, 0x20, 0x10][int(0, 2)] })],
  ['reserved data opcode', ['1002'], () => frame(int(3, 7), 'x')],
  ['reserved control opcode', ['1002'], () => frame(int(11, 15), 'x')],
  ['fragmented ping', ['1002'], () => frame(9, 'x', { fin: false })],
  ['ping over 125 bytes', ['1002'], () => frame(9, 'x'.repeat(126 + int(0, 200)))],
  ['orphan continuation frame', ['1002'], () => frame(0, 'x')],
  [
    'close frame with a reserved code',
    ['1002'],
    () => frame(8, Buffer.from([0x03, [0xed, 0xee][int(0, 1)]])),
  ],
  ['close reason not UTF-8', ['1007'], () => frame(8, Buffer.from([0x03, 0xe8, 0xc3, 0x28]))],
  [
    'message in 65+ fragments',
    ['1008'],
    () =>
      Buffer.concat([
        frame(1, '{', { fin: false }),
        ...Array.from({ length: 64 + int(0, 20) }, () => frame(0, ' ', { fin: false })),
        frame(0, '}'),
      ]),
  ],
  ['binary frame', ['1003'], () => frame(2, bytes(int(1, 512)))],
  [
    'binary garbage after the handshake',
    // 1006: the bytes began a legal frame and the server waits for the rest of it; after signing in
    // only the heartbeat ends such a socket (it answers no ping), without a close frame.
    ['1002', '1003', '1007', '1008', '1009', '4000', '4008', '4029', '1006'],
    () => bytes(int(16, 2_048)),
  ],
]
/** Only as a first frame (before signing in). */
const FIRST_FRAMES = [
  [
    'oversized auth frame',
    ['1009'],
    () => textFrame(JSON.stringify({ type: 'auth', token: 'x', resume: resume(int(1_200, 3_000)) })),
  ],
  [
    'deeply nested auth frame',
    ['4000'],
    () => textFrame(`{"type":"auth","token":"x","resume":${nested(int(500, 2_500))}}`),
  ],
  ['first frame not auth', ['4000'], () => textFrame('{"type":"ping"}')],
  ['first frame not JSON', ['4000'], () => textFrame(`\u0000${bytes(40).toString('latin1')}`)],
  [
    'auth frame with a forged token',
    ['4001'],
    () => textFrame(JSON.stringify({ type: 'auth', token: 'eyJhbGciOiJub25lIn0.e30.' })),
  ],
]
const HANDSHAKES = [
  ['garbage handshake', ['HTTP 400'], () => bytes(int(8, 1_024))],
  ['upgrade without a key', ['HTTP 400'], () => upgrade('/v1/realtime', 'Sec-WebSocket-Version: 13\r\n')],
  [
    'upgrade with a bad version',
    ['HTTP 400'],
    () =>
      upgrade('/v1/realtime', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n'),
  ],
  ['upgrade elsewhere', ['HTTP 404'], () => upgrade(`/v1/${bytes(4).toString('hex')}`, KEY)],
  ['upgrade target URL parsers reject', ['HTTP 404'], () => upgrade('//[', KEY)],
  ['upgrade with POST', ['HTTP 405'], () => upgrade('/v1/realtime', KEY).replace('GET', 'POST')],
  ['headers over 16 KiB', ['HTTP 431'], () => upgrade('/v1/realtime', `X-Pad: ${'a'.repeat(17_000)}\r\n`)],
]

/** Stream inputs in flight at once. */
const CONCURRENCY = 16
const FAST = '127.0.0.2'
const SLOW = '127.0.0.3'

/** One input of the stream, picked at random. */
async function streamInput() {
  const roll = random()
  if (roll < 0.45) {
    const [kind, expected, input] = [...FRAMES, ...FIRST_FRAMES][
      int(0, FRAMES.length + FIRST_FRAMES.length - 1)
    ]
    return record(kind, await socketInput(FAST, input), expected)
  }
  if (roll < 0.65) {
    const [kind, expected, input] = FRAMES[int(0, FRAMES.length - 1)]
    return record(`${kind}, after signing in`, await socketInput(FAST, input, { token: eveToken }), expected)
  }
  if (roll < 0.85) {
    const [kind, expected, request] = HANDSHAKES[int(0, HANDSHAKES.length - 1)]
    return record(kind, await handshakeInput(FAST, request()), expected)
  }
  if (roll < 0.9 || slowRunning >= 40) {
    // Cut mid-frame: the server must drop the socket when the connection ends.
    const cut = () => frame(1, 'x'.repeat(200)).subarray(0, int(2, 100))
    return record('truncated frame, then FIN', await socketInput(FAST, cut, { end: true }), ['1006'])
  }
  // Not awaited: these wait seconds for the server, and the stream goes on meanwhile.
  slowRunning++
  slow.push(slowInput())
}

/** Inputs that hold a connection for seconds; from their own address and at most 40 at a time. */
let slowRunning = 0
const slow = []
async function slowInput() {
  try {
    const roll = random()
    if (roll < 0.4)
      return record('idle socket, never authenticates', await socketInput(SLOW, undefined), ['4008'])
    if (roll < 0.7) {
      const cut = () => frame(1, 'x'.repeat(200)).subarray(0, int(2, 100))
      if (roll < 0.55) return record('truncated frame, then silence', await socketInput(SLOW, cut), ['4008'])
      // Signed in, the auth timeout no longer applies: the heartbeat drops the silent socket.
      const after = await socketInput(SLOW, cut, { token: eveToken })
      return record('truncated frame after signing in, then silence', after, ['1006'])
    }
    record('half-finished handshake', await halfHandshake(), ['held'])
  } finally {
    slowRunning--
  }
}

function halfHandshake() {
  return new Promise((resolve) => {
    const socket = connect({
      host: new URL(url).hostname,
      port: Number(new URL(url).port),
      localAddress: SLOW,
    })
    socket.on('error', () => {})
    socket.write(upgrade('/v1/realtime', KEY).slice(0, int(5, 100)))
    let answered = false
    socket.on('data', () => {
      answered = true
    })
    setTimeout(
      () => {
        socket.destroy()
        resolve(answered ? 'answered' : 'held')
      },
      int(500, 3_000),
    )
  })
}

// ---- floods ----

/** Many sockets of one user at once from one address: the ones over `socketsPerUser` get 4029. */
async function userFlood(round) {
  const token = await signIn(mallory)
  const keep = []
  const outcomes = await Promise.all(
    Array.from({ length: 60 }, () => socketInput(`127.0.0.4`, undefined, { token, keep })),
  )
  for (const outcome of outcomes)
    record('socket flood from one user (60 at once)', outcome, ['ready', '4029'])
  note(`user flood ${round}`, outcomes)
  for (const raw of keep) raw.destroy()
}

/** Eleven users × 50 sockets from one address: the ones over `socketsPerIp` get 4029. */
async function ipFlood(round) {
  const keep = []
  const outcomes = []
  for (const user of crowd) {
    const token = await signIn(user)
    outcomes.push(
      ...(await Promise.all(
        Array.from({ length: 50 }, () => socketInput('127.0.0.5', undefined, { token, keep })),
      )),
    )
  }
  for (const outcome of outcomes)
    record(`socket flood from one IP (${outcomes.length} sockets)`, outcome, ['ready', '4029'])
  note(`IP flood ${round}`, outcomes)
  for (const raw of keep) raw.destroy()
}

/** 150 sockets that never authenticate, from one address: over `unauthenticatedSocketsPerIp` get 4029. */
async function idleFlood(round) {
  const outcomes = await Promise.all(Array.from({ length: 150 }, () => socketInput('127.0.0.6', undefined)))
  for (const outcome of outcomes)
    record('idle socket flood from one IP (150 at once)', outcome, ['4008', '4029'])
  note(`idle flood ${round}`, outcomes)
}

/** A signed-in socket that sends `count` frames at once. */
async function frameFlood(kind, count, one) {
  const outcome = await socketInput('127.0.0.7', () => Buffer.concat(Array.from({ length: count }, one)), {
    token: eveToken,
  })
  record(kind, outcome, ['4029'], count)
}

/** Typing indicators go over HTTP: a flood of them is answered `ok` and the extra ones dropped. */
async function typingFlood() {
  const statuses = await Promise.all(
    Array.from({ length: 200 }, () =>
      fetch(`${url}/v1/sessions/${typingSession}/typing`, {
        method: 'POST',
        headers: { authorization: `Bearer ${eveToken}` },
      }).then(
        (r) => `HTTP ${r.status}`,
        () => 'reset',
      ),
    ),
  )
  for (const status of statuses) record('typing flood (HTTP, 200 at once)', status, ['HTTP 200'])
}

const floodOutcomes = {}
function note(name, outcomes) {
  const counts = {}
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1
  floodOutcomes[name] = counts
}

async function floodRound(round) {
  await Promise.all([
    userFlood(round),
    idleFlood(round),
    frameFlood('ping flood (100 ping frames at once)', 100, () => textFrame('{"type":"ping"}')),
    frameFlood('WebSocket ping flood (100 control frames)', 100, () => frame(9, 'x')),
    typingFlood(),
  ])
  await ipFlood(round)
}

// ---- the run: the stream of inputs, with flood rounds spread over it ----
const started = performance.now()
let done = 0
// Flood rounds one after the other: two at once would trip each other's caps.
let floods = Promise.resolve()
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (done < streamInputs) {
      done++
      for (let round = 1; round <= floodRounds; round++) {
        if (done === Math.floor((streamInputs * round) / (floodRounds + 1)))
          floods = floods.then(() => floodRound(round))
      }
      await streamInput()
    }
  }),
)
await floods
await Promise.all(slow)

const inputs = Object.values(tally).reduce((n, row) => n + row.inputs, 0)
console.log(
  `HOSTILE_RESULT ${JSON.stringify({ inputs, seconds: (performance.now() - started) / 1000, tally, floods: floodOutcomes })}`,
)
process.exit(0)

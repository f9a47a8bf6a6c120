import type { Message } from '@suportra/client/protocol'
import { allMessages, createUser, signIn, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, test } from 'vitest'
import {
  type Conversation,
  converged,
  converse,
  DEMO,
  keepSending,
  makeClient,
  PASSWORD,
  pause,
  tallyConversation,
} from './support/conversation.js'
import { FAULT_KINDS, type FaultKind, startFaultyProxy } from './support/faulty-proxy.js'
import { checkLedger } from './support/ledger.js'
import { report } from './support/report.js'
import { SEED, SIZES, seeded } from './support/sizes.js'
import { settle, sum } from './support/transcript.js'

const cleanup: (() => unknown)[] = []
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn()
})

/** How often each fault is picked. */
const MIX: [FaultKind, number][] = [
  ['drop', 0.35],
  ['stall', 0.35],
  ['half-open', 0.15],
  ['refuse', 0.15],
]

function pickFault(roll: number): FaultKind {
  let left = roll
  for (const [kind, p] of MIX) {
    left -= p
    if (left < 0) return kind
  }
  return 'drop'
}

test(`network faults: ${SIZES.networkFaults} drops, stalls, half-open and refused connections over ${SIZES.networkMessages} messages`, async ({
  task,
}) => {
  const started = performance.now()
  const random = seeded(SEED + 1)
  // A short heartbeat, so a half-open socket is found in seconds (the client gives a silent socket 10 s).
  const server: TestServer = await startTestServer({
    heartbeatMs: 2_000,
    rateLimits: { send: { points: 1_000_000, duration: 60 }, auth: { points: 10_000, duration: 60 } },
  })
  cleanup.push(() => server.close())
  const port = Number(new URL(server.url).port)
  const proxy = await startFaultyProxy(() => port, random)
  cleanup.push(() => proxy.close())

  // Two conversations, every client behind the proxy.
  const second = await createUser(server, { name: 'Net User', credits: 2 })
  const clients = [makeClient(proxy.url), makeClient(proxy.url), makeClient(proxy.url), makeClient(proxy.url)]
  cleanup.push(() => {
    for (const client of clients) client.destroy()
  })
  const [ada, net, grace, grace2] = clients as [
    (typeof clients)[0],
    (typeof clients)[0],
    (typeof clients)[0],
    (typeof clients)[0],
  ]
  await ada.auth.signIn({ email: DEMO.user.email, password: PASSWORD })
  await net.auth.signIn({ email: second.user.email ?? '', password: PASSWORD })
  await grace.auth.signIn({ email: DEMO.builder.email, password: PASSWORD })
  await grace2.auth.signIn({ email: DEMO.builder.email, password: PASSWORD })
  const conversations: Conversation[] = [
    await converse(['ada', 'grace'], ada, grace, 'Network one'),
    await converse(['net', 'grace2'], net, grace2, 'Network two'),
  ]
  const sides = conversations.flatMap((c) => [c.user, c.builder])
  const perSide = Math.ceil(SIZES.networkMessages / sides.length)

  // Faults are spread over the exchange: one every `every` messages the server acknowledged.
  let injected = 0
  const written = () => sides.reduce((n, s) => n + s.written.length, 0)
  const acked = () => sides.reduce((n, s) => n + s.acked, 0)
  const every = SIZES.networkMessages / (SIZES.networkFaults + 1)
  const faulting = (async () => {
    while (injected < SIZES.networkFaults) {
      if (acked() >= (injected + 1) * every) {
        const kind = pickFault(random.next())
        if (proxy.inject(kind)) injected++
      }
      await pause(random.int(5, 30))
    }
  })()
  await Promise.all(
    sides.map((side) => keepSending(side, random, [5, 40], () => false, { max: perSide, backlog: 10 })),
  )
  await faulting
  const total = written()

  await Promise.race([Promise.all(sides.flatMap((s) => s.sends)), pause(180_000)])
  const tokens = await Promise.all(
    [DEMO.user.email, second.user.email ?? ''].map(
      async (email) => (await signIn(server.url, email, PASSWORD)).accessToken,
    ),
  )
  const stored: Message[][] = []
  await settle(async () => {
    for (const [i, c] of conversations.entries())
      stored[i] = await allMessages(server.url, tokens[i] ?? '', c.sessionId)
    return conversations.every((c, i) => converged(stored[i] ?? [], c))
  }, 90_000)
  const result = sum(conversations.map((c, i) => tallyConversation(stored[i] ?? [], c)))
  const adaId = ada.$user.get()?.id ?? ''
  const money = await checkLedger(
    server.current.context.store,
    [adaId, second.user.id],
    new Map([
      [adaId, DEMO.user.credits],
      [second.user.id, 2],
    ]),
    1,
  )
  for (const c of conversations) c.stop()

  report(task, started, {
    scenario: 'network faults (proxy)',
    runs: FAULT_KINDS.reduce((n, k) => n + proxy.counts[k], 0),
    messages: total,
    lost: result.lost,
    duplicated: result.duplicated,
    outOfOrder: result.outOfOrder,
    overcharged: money.overcharged + money.holdErrors + money.wentNegative,
    notes: {
      drops: proxy.counts.drop,
      stalls: proxy.counts.stall,
      'half-open': proxy.counts['half-open'],
      refused: proxy.counts.refuse,
      connections: proxy.accepted(),
      'sends rejected': sides.reduce((n, s) => n + s.failed, 0),
      ...(result.problems.length && { problems: result.problems.slice(0, 5).join('; ') }),
    },
  })
})

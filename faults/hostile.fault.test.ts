import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { setPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Message } from '@suportra/client/protocol'
import { allMessages, api, openDatabase, signIn } from '@suportra/server/testing'
import { afterAll, expect, test } from 'vitest'
import {
  type Conversation,
  converged,
  converse,
  DEMO,
  keepSending,
  makeClient,
  PASSWORD,
  pause,
  signedIn,
  tallyConversation,
} from './support/conversation.js'
import { report } from './support/report.js'
import { type ServerProcess, startServerProcess } from './support/server-process.js'
import { SEED, SIZES, seeded } from './support/sizes.js'
import { settle, sum } from './support/transcript.js'

const dir = mkdtempSync(join(tmpdir(), 'suportra-faults-hostile-'))
const cleanup: (() => unknown)[] = []
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn()
  rmSync(dir, { recursive: true, force: true })
})

const ATTACKER = fileURLToPath(new URL('support/hostile-attacker.mjs', import.meta.url))
const PROBE = fileURLToPath(new URL('support/health-probe.mjs', import.meta.url))
/** Inputs of one flood round (hostile-attacker.mjs): user 60, idle 150, pings 2 × 100, typing 200, IP 550. */
const FLOOD_ROUND_INPUTS = 60 + 150 + 200 + 200 + 550
/** The IP flood's crowd: 11 users × 50 sockets from one address, over the default 500 per IP. */
const CROWD = 11

/**
 * Sends and sign-ins are not what this scenario limits; the realtime caps keep their defaults. A 4 s
 * heartbeat (25 s in production) drops a signed-in socket that stops mid-frame within the attacker's
 * 20 s wait.
 */
const SERVER = {
  rateLimits: { send: { points: 1_000_000, duration: 60 }, auth: { points: 100_000, duration: 60 } },
  heartbeatMs: 4_000,
}

interface AttackResult {
  inputs: number
  seconds: number
  tally: Record<
    string,
    { inputs: number; ok: number; unexpected: Record<string, number>; outcomes: Record<string, number> }
  >
  floods: Record<string, Record<string, number>>
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length

test(`hostile clients: ${SIZES.hostileInputs.toLocaleString('en-US')} malformed and abusive inputs at one server during two conversations`, async ({
  task,
}) => {
  const started = performance.now()
  const random = seeded(SEED + 17)
  const server: ServerProcess = await startServerProcess(join(dir, 'hostile.db'), SERVER)
  cleanup.push(() => server.stop())
  const { url } = server
  let exited: string | undefined
  server.child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`
  })

  // The accounts: two conversations, the attackers (eve: frames and floods; mallory: one user's
  // socket flood; a crowd for one IP's flood).
  const signUp = async (name: string) => {
    const email = `${name}@example.com`
    const up = await api(url, 'POST', '/v1/auth/sign-up', {
      app: DEMO.appId,
      body: { name, email, password: PASSWORD, ageConfirmed: true },
    })
    expect(up.status, `sign-up of ${name}`).toBe(201)
    return { id: up.body.user.id as string, email, password: PASSWORD, token: up.body.accessToken as string }
  }
  const bob = await signUp('bob')
  const eve = await signUp('eve')
  const mallory = await signUp('mallory')
  const crowd = []
  for (let i = 0; i < CROWD; i++) crowd.push(await signUp(`crowd${i}`))
  const store = await openDatabase(join(dir, 'hostile.db'))
  cleanup.push(() => store.close())
  for (const [user, amount] of [
    [bob, 2],
    [eve, 1],
  ] as const) {
    await store.db
      .insertInto('ledger')
      .values({
        id: `txn_faults_${user.id}`,
        user_id: user.id,
        kind: 'grant',
        amount,
        idempotency_key: `faults:grant:${user.id}`,
        reference: 'fault suite',
        created_at: Date.now(),
      })
      .execute()
  }
  // Eve's own session, for the typing flood.
  const typing = await api(url, 'POST', '/v1/sessions', {
    token: eve.token,
    body: { tool: 'cursor', topic: 'Typing flood' },
  })
  expect(typing.status).toBe(201)

  const ada = await signedIn(url, DEMO.user.email)
  const bobClient = makeClient(url)
  await bobClient.auth.signIn({ email: bob.email, password: PASSWORD })
  const grace = await signedIn(url, DEMO.builder.email)
  const grace2 = await signedIn(url, DEMO.builder.email)
  const clients = [ada, bobClient, grace, grace2]
  cleanup.push(() => {
    for (const client of clients) client.destroy()
  })
  const conversations: Conversation[] = [
    await converse(['ada', 'grace'], ada, grace, 'Hostile one'),
    await converse(['bob', 'grace2'], bobClient, grace2, 'Hostile two'),
  ]
  const sides = conversations.flatMap((c) => [c.user, c.builder])
  const fdsBefore = openFds(server.child.pid as number)

  // /health, timed throughout by a small process of its own (this one runs the clients).
  let attacking = true
  const probe = spawn(process.execPath, [PROBE], {
    env: { ...process.env, PROBE_URL: url, PROBE_EVERY_MS: '25' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  cleanup.push(() => probe.kill())
  await new Promise((resolve) => probe.once('message', resolve))
  const probed = new Promise<{ latencies: number[]; failures: number }>((resolve) =>
    probe.on('message', (message) => typeof message === 'object' && resolve(message as never)),
  )
  const senders = sides.map((side) => keepSending(side, random, [30, 150], () => !attacking, { backlog: 10 }))

  // The attack, in its own process.
  const floodRounds = SIZES.hostileFloodRounds
  const attacker = spawn(process.execPath, [ATTACKER], {
    env: {
      ...process.env,
      HOSTILE: JSON.stringify({
        url,
        app: DEMO.appId,
        seed: SEED,
        streamInputs: Math.max(0, SIZES.hostileInputs - floodRounds * FLOOD_ROUND_INPUTS),
        floodRounds,
        eve,
        mallory,
        crowd,
        typingSession: typing.body.session.id,
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  cleanup.push(() => attacker.kill())
  // The attacker shares this machine's cores with the server, which a real one would not: it runs
  // at a lower priority, so what /health shows is the server's own delay, not a lost CPU race.
  setPriority(attacker.pid as number, 10)
  let output = ''
  attacker.stdout?.on('data', (chunk) => {
    output += chunk
  })
  attacker.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const attackerCode = await new Promise<number | null>((resolve) => attacker.once('exit', resolve))
  attacking = false
  probe.send('stop')
  const { latencies: health, failures: healthFailures } = await probed
  await Promise.all(senders)
  const line = output.split('\n').find((l) => l.startsWith('HOSTILE_RESULT '))
  expect(line, `the attacker finished (exit ${attackerCode}):\n${output.slice(-2_000)}`).toBeDefined()
  const attack = JSON.parse((line ?? '').slice('HOSTILE_RESULT '.length)) as AttackResult
  const written = sides.reduce((n, s) => n + s.written.length, 0)

  // Both conversations against the database, as in the other scenarios.
  await Promise.race([Promise.all(sides.flatMap((s) => s.sends)), pause(120_000)])
  const tokens = await Promise.all(
    [DEMO.user.email, bob.email].map(async (email) => (await signIn(url, email, PASSWORD)).accessToken),
  )
  const stored: Message[][] = []
  await settle(async () => {
    for (const [i, c] of conversations.entries())
      stored[i] = await allMessages(url, tokens[i] ?? '', c.sessionId)
    return conversations.every((c, i) => converged(stored[i] ?? [], c))
  }, 60_000)
  const result = sum(conversations.map((c, i) => tallyConversation(stored[i] ?? [], c)))
  for (const c of conversations) c.stop()

  // Every hostile socket is let go (within the auth timeout, 5 s, and the close timeout, 3 s).
  await settle(() => openFds(server.child.pid as number) <= fdsBefore + 20, 15_000)
  const fdsAfter = openFds(server.child.pid as number)
  const alive = exited === undefined && (await api(url, 'GET', '/health')).status === 200

  const sorted = [...health].sort((a, b) => a - b)
  const p50 = quantile(sorted, 0.5)
  const p99 = quantile(sorted, 0.99)
  const unexpected = Object.entries(attack.tally).flatMap(([kind, row]) =>
    Object.entries(row.unexpected).map(([outcome, n]) => `${kind}: ${n} × ${outcome}`),
  )
  const flood = (name: string, outcome: string) =>
    Object.entries(attack.floods)
      .filter(([key]) => key.startsWith(name))
      .reduce((n, [, counts]) => n + (counts[outcome] ?? 0), 0)

  report(task, started, {
    scenario: 'hostile clients',
    runs: attack.inputs,
    messages: written,
    lost: result.lost,
    duplicated: result.duplicated,
    outOfOrder: result.outOfOrder,
    overcharged: 0,
    notes: {
      'input kinds': Object.keys(attack.tally).length,
      'answered as expected': `${Object.values(attack.tally).reduce((n, r) => n + r.ok, 0)} of ${Object.values(attack.tally).reduce((n, r) => n + Object.values(r.outcomes).reduce((a, b) => a + b, 0), 0)} connections`,
      'attack s': Math.round(attack.seconds * 10) / 10,
      '/health p50 ms': Math.round(p50 * 10) / 10,
      '/health p99 ms': Math.round(p99 * 10) / 10,
      '/health max ms': Math.round((sorted.at(-1) ?? 0) * 10) / 10,
      '/health samples': health.length,
      '/health failures': healthFailures,
      'user flood: ready / 4029': `${flood('user flood', 'ready')} / ${flood('user flood', '4029')}`,
      'IP flood: ready / 4029': `${flood('IP flood', 'ready')} / ${flood('IP flood', '4029')}`,
      'idle flood: 4008 / 4029': `${flood('idle flood', '4008')} / ${flood('idle flood', '4029')}`,
      'server fds before / after': `${fdsBefore} / ${fdsAfter}`,
      'server process': alive ? 'alive' : (exited ?? 'not answering'),
      'sends rejected': sides.reduce((n, s) => n + s.failed, 0),
      ...(unexpected.length && { unexpected: unexpected.slice(0, 8).join('; ') }),
      ...(result.problems.length && { problems: result.problems.slice(0, 5).join('; ') }),
    },
  })

  expect(alive, 'the server process never exited and still answers').toBe(true)
  expect(attack.inputs).toBeGreaterThanOrEqual(SIZES.hostileInputs)
  expect(unexpected, 'every hostile input got the answer it deserves').toEqual([])
  expect(p99, '/health p99 under 100 ms throughout the attack').toBeLessThan(100)
  expect(healthFailures).toBe(0)
  // The caps engaged: one user's and one IP's extra sockets, and the idle ones beyond the cap.
  expect(flood('user flood', 'ready')).toBe(50 * floodRounds)
  expect(flood('IP flood', 'ready')).toBe(500 * floodRounds)
  expect(flood('idle flood', '4029')).toBe(50 * floodRounds)
  expect(fdsAfter - fdsBefore, 'hostile sockets were all let go').toBeLessThanOrEqual(20)
})

import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Message } from '@suportra/client/protocol'
import { allMessages, api, createUser, DEMO, startTestServer } from '@suportra/server/testing'
import { afterAll, expect, test } from 'vitest'
import { PASSWORD, pause, signedIn } from './support/conversation.js'
import { startFaultyProxy } from './support/faulty-proxy.js'
import { report } from './support/report.js'
import { SEED, SIZES, seeded } from './support/sizes.js'
import { settle, tally, type View } from './support/transcript.js'

const SLEEPER = fileURLToPath(new URL('support/sleeper.mjs', import.meta.url))
const cleanup: (() => unknown)[] = []
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn()
})

interface Snapshot {
  messages: View['messages']
  shownBeforeScrolling: number
  frames: { ready: number; continuityLost: number; messages: number }
  connection: string
}

/** The sleeping user's process, and a way to ask it something and wait for the answer. */
function startSleeper(env: Record<string, string>) {
  // No inherited --conditions source: the child runs the built client, as a user's script would.
  const child: ChildProcess = fork(SLEEPER, [], {
    env: { ...process.env, ...env },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (message: { type: string }) => {
        if (message.type !== type) return
        child.off('message', onMessage)
        child.off('exit', onExit)
        resolve(message as Record<string, unknown>)
      }
      const onExit = (code: number) => reject(new Error(`the sleeper exited with ${code}`))
      child.on('message', onMessage)
      child.once('exit', onExit)
    })
  return {
    child,
    ready: next('ready'),
    async ask<T>(command: Record<string, unknown>, answer: string): Promise<T> {
      const reply = next(answer)
      child.send(command)
      return (await reply) as T
    },
  }
}

test(`sleep and resume: ${SIZES.sleepRounds}× a client frozen past the heartbeat, within and beyond the resume window (${SIZES.resumeWindow})`, async ({
  task,
}) => {
  const started = performance.now()
  const random = seeded(SEED + 2)
  const server = await startTestServer({
    heartbeatMs: SIZES.heartbeatMs,
    resumeWindow: SIZES.resumeWindow,
    rateLimits: { send: { points: 1_000_000, duration: 60 }, auth: { points: 10_000, duration: 60 } },
  })
  cleanup.push(() => server.close())
  const user = await createUser(server, { name: 'Sleepy User', credits: 2 })
  const start = await api(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'cursor', topic: 'Laptop lid' },
  })
  expect(start.status).toBe(201)
  const sessionId: string = start.body.session.id
  const grace = await signedIn(server.url, DEMO.builder.email)
  cleanup.push(() => grace.destroy())
  const builder = await grace.builder.claim(sessionId)
  cleanup.push(builder.$messages.listen(() => {}))

  // The sleeper's network: when it sleeps, its open connections go dead without a word (no FIN, no
  // RST), as when a laptop wakes on another network; the server's side is dropped by its heartbeat.
  const port = Number(new URL(server.url).port)
  const network = await startFaultyProxy(() => port, random)
  cleanup.push(() => network.close())
  const sleeper = startSleeper({
    SLEEPER_URL: network.url,
    SLEEPER_APP: DEMO.appId,
    SLEEPER_EMAIL: user.user.email ?? '',
    SLEEPER_PASSWORD: PASSWORD,
    SLEEPER_SESSION: sessionId,
  })
  cleanup.push(() => sleeper.child.kill('SIGKILL'))
  await sleeper.ready

  const written = { sleeper: [] as string[], builder: [] as string[] }
  const builderSends: Promise<unknown>[] = []
  let builderFailed = 0
  // Past the heartbeat: the server has pinged, found no pong, and dropped its socket before the wake.
  const sleepMs = Math.round(2.5 * SIZES.heartbeatMs + 1_000)
  const outcomes: string[] = []
  const problems: string[] = []
  let slept = 0
  let frames = { ready: 0, continuityLost: 0, messages: 0 }

  for (let round = 0; round < SIZES.sleepRounds; round++) {
    for (const beyond of [false, true]) {
      // The user writes a few messages and the lid closes while they are on their way.
      const texts = Array.from({ length: 3 }, (_, i) => `sleeper#${written.sleeper.length + i}`)
      written.sleeper.push(...texts)
      await sleeper.ask({ type: 'send', texts }, 'queued')
      await pause(random.int(0, 30))
      sleeper.child.kill('SIGSTOP')
      network.blackhole()
      const asleep = performance.now()
      slept++

      // The builder keeps answering: half a window's worth, or more than the window holds.
      const count = beyond ? Math.max(SIZES.sleepMessages, SIZES.resumeWindow + 20) : SIZES.resumeWindow / 2
      for (let i = 0; i < count; i++) {
        const text = `builder#${written.builder.length}`
        written.builder.push(text)
        builderSends.push(
          builder.send(text).catch(() => {
            builderFailed++
          }),
        )
      }
      await Promise.all(builderSends)
      await pause(Math.max(0, sleepMs - (performance.now() - asleep)))
      sleeper.child.kill('SIGCONT')

      // Awake: the client notices its dead socket, reconnects, and resumes or reloads.
      const before = frames
      let snapshot: Snapshot | undefined
      await settle(async () => {
        snapshot = await sleeper.ask<Snapshot>({ type: 'snapshot' }, 'snapshot')
        const stored = await allMessages(server.url, user.accessToken, sessionId)
        const shown = snapshot.messages
        return shown.every((m) => m.status === 'sent') && shown.length === stored.length
      }, 120_000)
      frames = snapshot?.frames ?? frames
      const reconnected = frames.ready > before.ready
      const reloaded = frames.continuityLost > before.continuityLost
      const outcome = !reconnected ? 'kept its socket' : reloaded ? 'reloaded' : 'resumed'
      outcomes.push(`${beyond ? 'beyond' : 'within'}: ${outcome}`)
      if (outcome !== (beyond ? 'reloaded' : 'resumed'))
        problems.push(
          `a sleep ${beyond ? 'beyond' : 'within'} the window ended with "${outcome}" (expected ${beyond ? 'reloaded' : 'resumed'})`,
        )
    }
  }

  const { failed: sleeperFailed } = await sleeper.ask<{ failed: number }>({ type: 'settled' }, 'settled')
  let stored: Message[] = []
  let last: Snapshot | undefined
  await settle(async () => {
    stored = await allMessages(server.url, user.accessToken, sessionId)
    last = await sleeper.ask<Snapshot>({ type: 'snapshot' }, 'snapshot')
    const ids = stored.map((m) => m.id).join()
    return [last.messages, builder.$messages.get()].every(
      (shown) => shown.every((m) => m.status === 'sent') && shown.map((m) => m.id).join() === ids,
    )
  }, 60_000)
  const result = tally(
    new Map([
      ['sleeper', written.sleeper],
      ['builder', written.builder],
    ]),
    stored,
    [
      { name: 'sleeper', messages: last?.messages ?? [] },
      { name: 'builder', messages: builder.$messages.get() },
    ],
  )

  report(task, started, {
    scenario: 'sleep and resume',
    runs: slept,
    messages: written.sleeper.length + written.builder.length,
    lost: result.lost,
    duplicated: result.duplicated,
    outOfOrder: result.outOfOrder,
    overcharged: 0,
    notes: {
      'sleep ms': sleepMs,
      'heartbeat ms': SIZES.heartbeatMs,
      'resume window': SIZES.resumeWindow,
      outcomes: outcomes.join('; '),
      'message frames received': frames.messages,
      'sends rejected': sleeperFailed + builderFailed,
      ...(result.problems.length && { problems: result.problems.slice(0, 5).join('; ') }),
    },
  })
  expect(problems, 'within the window the client resumes; beyond it, it reloads').toEqual([])
})

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Message } from '@suportra/client/protocol'
import { allMessages, databaseFor, openDatabase, signIn, testDialect } from '@suportra/server/testing'
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
  signedIn,
  tallyConversation,
} from './support/conversation.js'
import { checkLedger } from './support/ledger.js'
import { report } from './support/report.js'
import { addBuilderWithCli, type ServerProcess, startServerProcess } from './support/server-process.js'
import { SEED, SIZES, seeded } from './support/sizes.js'
import { settle, sum } from './support/transcript.js'

const dir = mkdtempSync(join(tmpdir(), 'suportra-faults-crash-'))
const cleanup: (() => unknown)[] = []
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn()
  rmSync(dir, { recursive: true, force: true })
})

/**
 * Sends are not what this scenario limits: the default 120 a minute per user would throttle it.
 * Attachments (none are sent) get a folder of their own; the database is a SQLite file, or on
 * PostgreSQL (SUPORTRA_TEST_DB=postgres, see scripts/with-postgres.mjs) a fresh database.
 */
const SERVER = {
  rateLimits: { send: { points: 1_000_000, duration: 60 }, auth: { points: 10_000, duration: 60 } },
  dataDir: join(dir, 'files'),
}

test(`server crashes: ${SIZES.kills} SIGKILLs while two users and two builders send continuously (${testDialect()})`, async ({
  task,
}) => {
  const started = performance.now()
  const random = seeded(SEED)
  const db = await databaseFor(join(dir, 'crash.db'))
  let server: ServerProcess = await startServerProcess(db, SERVER)
  cleanup.push(() => server.stop())
  const url = server.url
  const builder2 = { name: 'Linus Builder', email: 'linus@example.com', password: PASSWORD }
  await addBuilderWithCli(db, builder2)

  // Two users (the demo user and one who signs up and is granted credits), two builders.
  const ada = await signedIn(url, DEMO.user.email)
  const bob = makeClient(url)
  const bobUser = await bob.auth.signUp({
    name: 'Bob Crash',
    email: 'bob@example.com',
    password: PASSWORD,
    ageConfirmed: true,
  })
  const store = await openDatabase(db)
  cleanup.push(() => store.close())
  await store.db
    .insertInto('ledger')
    .values({
      id: 'txn_faults_bob',
      user_id: bobUser.id,
      kind: 'grant',
      amount: 2,
      idempotency_key: 'faults:grant:bob',
      reference: 'fault suite',
      created_at: Date.now(),
    })
    .execute()
  const grace = await signedIn(url, DEMO.builder.email)
  const linus = await signedIn(url, builder2.email)
  const clients = [ada, bob, grace, linus]
  cleanup.push(() => {
    for (const client of clients) client.destroy()
  })
  const conversations: Conversation[] = [
    await converse(['ada', 'grace'], ada, grace, 'Crash one'),
    await converse(['bob', 'linus'], bob, linus, 'Crash two'),
  ]
  const sides = conversations.flatMap((c) => [c.user, c.builder])

  // Everyone writes continuously while the server is killed at random moments and restarted.
  let stopped = false
  const senders = sides.map((side) => keepSending(side, random, [60, 250], () => stopped))
  let longestOutage = 0
  let restartMs = 0
  for (let kill = 0; kill < SIZES.kills; kill++) {
    await pause(random.int(200, 1_500))
    const down = performance.now()
    await server.kill()
    await pause(random.int(0, 400))
    server = await startServerProcess(db, { ...SERVER, port: server.port })
    const outage = performance.now() - down
    longestOutage = Math.max(longestOutage, outage)
    restartMs += outage
  }
  stopped = true
  await Promise.all(senders)
  const written = sides.reduce((n, s) => n + s.written.length, 0)

  // Every send resolves once the server has it; then both sides of each conversation show the database.
  const backlog = sides.reduce((n, s) => n + s.written.length - s.acked - s.failed, 0)
  const draining = performance.now()
  await Promise.race([Promise.all(sides.flatMap((s) => s.sends)), pause(120_000)])
  const drainMs = performance.now() - draining
  const tokens = await Promise.all(
    [DEMO.user.email, 'bob@example.com'].map(
      async (email) => (await signIn(url, email, PASSWORD)).accessToken,
    ),
  )
  const stored: Message[][] = []
  await settle(async () => {
    for (const [i, c] of conversations.entries())
      stored[i] = await allMessages(url, tokens[i] ?? '', c.sessionId)
    return conversations.every((c, i) => converged(stored[i] ?? [], c))
  }, 60_000)
  const result = sum(conversations.map((c, i) => tallyConversation(stored[i] ?? [], c)))

  // Each user paid for their one session exactly once, however often the server died.
  const adaId = ada.$user.get()?.id ?? ''
  const money = await checkLedger(
    store,
    [adaId, bobUser.id],
    new Map([
      [adaId, DEMO.user.credits],
      [bobUser.id, 2],
    ]),
    1,
  )
  for (const c of conversations) c.stop()

  report(task, started, {
    scenario: 'server SIGKILL + restart',
    runs: SIZES.kills,
    messages: written,
    lost: result.lost,
    duplicated: result.duplicated,
    outOfOrder: result.outOfOrder,
    overcharged: money.overcharged + money.holdErrors + money.wentNegative,
    notes: {
      [testDialect() === 'postgres' ? 'restarts on the same database' : 'restarts on the same file']:
        SIZES.kills,
      'mean outage ms': Math.round(restartMs / SIZES.kills),
      'longest outage ms': Math.round(longestOutage),
      'unsent when the kills ended': backlog,
      'sent within ms': Math.round(drainMs),
      'sends rejected': sides.reduce((n, s) => n + s.failed, 0),
      ...(result.problems.length && { problems: result.problems.slice(0, 5).join('; ') }),
      ...(money.problems.length && { money: money.problems.slice(0, 3).join('; ') }),
    },
  })
})

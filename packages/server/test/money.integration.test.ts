import { Agent, request } from 'node:http'
import type { AuthResponse } from '@suportra/protocol'
import {
  type ApiResult,
  api,
  createUser,
  DEMO,
  grantCredits,
  signIn,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addBuilder } from '../src/admin/commands.js'
import { expireWaiting } from '../src/sessions/withdraw.js'

/** Reproducible randomness: set MONEY_SEED to replay a failing run. */
const SEED = Number(process.env.MONEY_SEED ?? Date.now() % 1_000_000)
function mulberry32(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
const random = mulberry32(SEED)
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j] as T, items[i] as T]
  }
  return items
}
const why = (what: string) => `${what} (MONEY_SEED=${SEED})`

const COST = 2 // credits per conversation: balances with an odd credit left over test "covers K" exactly
const USERS = 8
const STARTS = 1_000

/** Unanswered sessions expire after ~6 ms: every waiting session is stale when expireWaiting runs. */
const TINY_TIMEOUT = 0.0001

let server: TestServer
/**
 * The server runs with the default waiting timeout, so that its own expiry timer (every 30 s)
 * cannot release holds in the middle of the test; expireWaiting is called with the tiny timeout,
 * as an instance configured with it would run it. The plumbing of the setting itself is tested
 * below on a server started with the tiny timeout.
 */
const expire = () =>
  expireWaiting({
    ...server.current.context,
    config: { ...server.current.context.config, waitingTimeoutMinutes: TINY_TIMEOUT },
  })
beforeAll(async () => {
  server = await startTestServer({ conversationCost: COST })
})
afterAll(async () => {
  await server.close()
  pool.destroy()
})

/**
 * The concurrent calls go through a pool of 100 keep-alive connections, as through a reverse
 * proxy: all 1,000 requests are in flight at once, but 1,000 simultaneous TCP handshakes would
 * only test the kernel's accept queue (Node listens with a backlog of 511).
 */
const pool = new Agent({ keepAlive: true, maxSockets: 100 })
function pooled(method: string, path: string, token: string | undefined, body?: unknown): Promise<ApiResult> {
  const data = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method,
        agent: pool,
        headers: {
          ...(token && { authorization: `Bearer ${token}` }),
          ...(data !== undefined && {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(data),
          }),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let parsed: unknown = text
          try {
            parsed = JSON.parse(text)
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: new Headers() })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(data)
  })
}

const db = () => server.current.context.store.db

interface Account {
  auth: AuthResponse
  /** Conversations the starting balance covers. */
  k: number
  /** Credits left over after K holds (less than one conversation). */
  extra: number
  sessions: string[]
}

describe('holds, captures and releases under concurrency', () => {
  const accounts: Account[] = []
  let builders: AuthResponse[] = []
  let claims200 = 0
  let cancels200 = 0
  let expired = 0

  test(`${STARTS} concurrent starts against balances covering K conversations → exactly K holds per user`, {
    timeout: 120_000,
  }, async () => {
    for (let i = 0; i < USERS; i++) {
      // Always include the edges: a user with nothing, one with exactly one conversation.
      const k = i === 0 ? 0 : i === 1 ? 1 : Math.floor(random() * 60)
      const extra = Math.floor(random() * COST)
      const auth = await createUser(server, { name: `Money ${i}` })
      if (k * COST + extra > 0) await grantCredits(server, auth.user.id, k * COST + extra)
      accounts.push({ auth, k, extra, sessions: [] })
    }
    const perUser = STARTS / USERS
    const attempts = shuffle(accounts.flatMap((account) => Array.from({ length: perUser }, () => account)))
    const results = await Promise.all(
      attempts.map(async (account, i) => ({
        account,
        result: await pooled('POST', '/v1/sessions', account.auth.accessToken, {
          tool: pick(['cursor', 'v0', 'bolt', 'lovable']),
          topic: `Concurrent start ${i}`,
        }),
      })),
    )
    for (const account of accounts) {
      const mine = results.filter((r) => r.account === account).map((r) => r.result)
      const created = mine.filter((r) => r.status === 201)
      const refused = mine.filter((r) => r.status !== 201)
      expect(created.length, why(`starts that held credits for a user with K=${account.k}`)).toBe(account.k)
      expect(
        refused.map((r) => `${r.status} ${r.body.error?.code}`),
        why('refused starts'),
      ).toEqual(Array(perUser - account.k).fill('402 insufficient_credits'))
      account.sessions = created.map((r) => r.body.session.id)

      const rows = await db()
        .selectFrom('ledger')
        .selectAll()
        .where('user_id', '=', account.auth.user.id)
        .execute()
      expect(
        rows.filter((r) => r.kind === 'hold'),
        why('hold rows'),
      ).toHaveLength(account.k)
      const balance = await api(server.url, 'GET', '/v1/credits', { token: account.auth.accessToken })
      expect(balance.body.balance, why('balance after the holds')).toBe(account.extra)
      expect(rows.reduce((sum, r) => sum + r.amount, 0)).toBe(account.extra)
    }
    expect(
      await db()
        .selectFrom('sessions')
        .select('id')
        .where(
          'user_id',
          'in',
          accounts.map((a) => a.auth.user.id),
        )
        .execute(),
    ).toHaveLength(accounts.reduce((n, a) => n + a.k, 0))
  })

  test('random concurrent cancels, claims (by several builders) and expiries resolve every hold exactly once', {
    timeout: 120_000,
  }, async () => {
    builders = [await signIn(server.url, DEMO.builder.email)]
    for (let i = 0; i < 3; i++) {
      const email = `money-builder-${i}@example.com`
      await addBuilder(server.current.context, {
        name: `Builder ${i}`,
        email,
        password: 'builder-password',
        tools: [],
      })
      builders.push(await signIn(server.url, email, 'builder-password'))
    }
    const owner = new Map(accounts.flatMap((a) => a.sessions.map((id) => [id, a] as const)))
    const cancel = (id: string) =>
      pooled('POST', `/v1/sessions/${id}/cancel`, owner.get(id)?.auth.accessToken)
    const claim = (id: string) =>
      pooled('POST', `/v1/builder/sessions/${id}/claim`, pick(builders).accessToken)

    const left: string[] = []
    const calls: Promise<{ kind: 'cancel' | 'claim'; result: ApiResult }>[] = []
    const as = (kind: 'cancel' | 'claim', p: Promise<ApiResult>) =>
      calls.push(p.then((result) => ({ kind, result })))
    for (const id of shuffle([...owner.keys()])) {
      const action = pick([
        'cancel',
        'claim',
        'race',
        'claim-twice',
        'cancel-twice',
        'leave',
        'leave',
      ] as const)
      if (action === 'cancel' || action === 'race' || action === 'cancel-twice') as('cancel', cancel(id))
      if (action === 'claim' || action === 'race' || action === 'claim-twice') as('claim', claim(id))
      if (action === 'claim-twice') as('claim', claim(id))
      if (action === 'cancel-twice') as('cancel', cancel(id))
      if (action === 'leave') left.push(id)
    }
    const expiries = Array.from({ length: 3 }, () => expire())
    const [settled, counts] = await Promise.all([Promise.all(calls), Promise.all(expiries)])
    expired += counts.reduce((a, b) => a + b, 0)
    for (const { kind, result } of settled) {
      expect([200, 409], why(`${kind}: ${JSON.stringify(result.body)}`)).toContain(result.status)
      if (result.status === 200 && kind === 'claim') claims200++
      if (result.status === 200 && kind === 'cancel') cancels200++
    }

    // The rest: expireWaiting on three "instances" at once while their users cancel half of them.
    const lastCancels = left.filter(() => random() < 0.5).map((id) => cancel(id))
    const lastExpiries = Array.from({ length: 3 }, () => expire())
    const [cancelled, more] = await Promise.all([Promise.all(lastCancels), Promise.all(lastExpiries)])
    for (const result of cancelled) {
      expect([200, 409], why(JSON.stringify(result.body))).toContain(result.status)
      if (result.status === 200) cancels200++
    }
    expired += more.reduce((a, b) => a + b, 0)
    // expireWaiting handles a batch per run; run it until nothing is left.
    for (let n = await expire(); n > 0; n = await expire()) expired += n
  })

  test('afterwards: every hold resolved once, the ledger sums to each balance, nothing negative', async () => {
    const userIds = accounts.map((a) => a.auth.user.id)
    const sessions = await db()
      .selectFrom('sessions')
      .select(['id', 'user_id', 'status'])
      .where('user_id', 'in', userIds)
      .execute()
    const rows = await db().selectFrom('ledger').selectAll().where('user_id', 'in', userIds).execute()
    expect(
      sessions.filter((s) => s.status === 'waiting'),
      why('sessions still waiting'),
    ).toEqual([])

    for (const session of sessions) {
      const forSession = rows.filter((r) => r.reference === session.id)
      const holds = forSession.filter((r) => r.idempotency_key === `hold:${session.id}`)
      const settles = forSession.filter((r) => r.idempotency_key === `settle:${session.id}`)
      expect(
        holds.map((r) => [r.kind, r.amount]),
        why(`hold of ${session.id}`),
      ).toEqual([['hold', -COST]])
      expect(settles, why(`settle rows of ${session.id} (${session.status})`)).toHaveLength(1)
      expect(
        [settles[0]?.kind, settles[0]?.amount],
        why(`settlement of a ${session.status} session`),
      ).toEqual(session.status === 'active' ? ['capture', 0] : ['release', COST])
      expect(['active', 'cancelled']).toContain(session.status)
    }
    const duplicates = await db()
      .selectFrom('ledger')
      .select(['idempotency_key', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('idempotency_key')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute()
    expect(duplicates).toEqual([])

    const captures = rows.filter((r) => r.kind === 'capture').length
    const releases = rows.filter((r) => r.kind === 'release').length
    expect(captures, why('captures = successful claims')).toBe(claims200)
    expect(releases, why('releases = successful cancels + expired sessions')).toBe(cancels200 + expired)
    expect(captures + releases).toBe(sessions.length)

    for (const account of accounts) {
      const mine = rows.filter((r) => r.user_id === account.auth.user.id)
      const sum = mine.reduce((total, r) => total + r.amount, 0)
      const balance = await api(server.url, 'GET', '/v1/credits', { token: account.auth.accessToken })
      expect(balance.body.balance, why('GET /v1/credits = ledger sum')).toBe(sum)
      expect(sum).toBeGreaterThanOrEqual(0)
      const released = mine.filter((r) => r.kind === 'release').length
      expect(sum, why('balance = leftover + released holds')).toBe(account.extra + released * COST)
      // The transaction history the user sees adds up to the same balance.
      const history = await api(server.url, 'GET', '/v1/credits/transactions', {
        token: account.auth.accessToken,
      })
      expect(
        history.body.transactions.reduce((total: number, t: { amount: number }) => total + t.amount, 0),
      ).toBe(sum)
    }
  })

  test('expireWaiting on a quiet database releases nothing twice', async () => {
    const before = await db().selectFrom('ledger').select('id').execute()
    expect(await Promise.all([expire(), expire()])).toEqual([0, 0])
    expect(await db().selectFrom('ledger').select('id').execute()).toHaveLength(before.length)
  })
})

describe('the waiting timeout setting', () => {
  test('a server started with a tiny waitingTimeoutMinutes expires unanswered sessions, once, and tells the user', async () => {
    const quick = await startTestServer({ waitingTimeoutMinutes: TINY_TIMEOUT })
    try {
      const user = await createUser(quick, { credits: 3 })
      const started = await Promise.all(
        Array.from({ length: 3 }, (_, i) =>
          api(quick.url, 'POST', '/v1/sessions', {
            token: user.accessToken,
            body: { tool: 'v0', topic: `t${i}` },
          }),
        ),
      )
      expect(started.map((r) => r.status)).toEqual([201, 201, 201])
      const grace = await signIn(quick.url, DEMO.builder.email)
      const claimed = await api(
        quick.url,
        'POST',
        `/v1/builder/sessions/${started[0]?.body.session.id}/claim`,
        {
          token: grace.accessToken,
        },
      )
      expect(claimed.status).toBe(200)
      await new Promise((r) => setTimeout(r, 20))
      const counts = await Promise.all([
        expireWaiting(quick.current.context),
        expireWaiting(quick.current.context),
        api(quick.url, 'POST', `/v1/sessions/${started[1]?.body.session.id}/cancel`, {
          token: user.accessToken,
        }),
      ])
      const cancelledByUser = (counts[2] as ApiResult).status === 200 ? 1 : 0
      expect((counts[0] as number) + (counts[1] as number) + cancelledByUser).toBe(2)
      const sessions = await api(quick.url, 'GET', '/v1/sessions', { token: user.accessToken })
      expect(sessions.body.sessions.map((s: { status: string }) => s.status).sort()).toEqual([
        'active',
        'cancelled',
        'cancelled',
      ])
      const balance = await api(quick.url, 'GET', '/v1/credits', { token: user.accessToken })
      expect(balance.body.balance).toBe(2)
    } finally {
      await quick.close()
    }
  })
})

import { CLOSE_CODES, type Message, type RealtimeEvent } from '@suportra/protocol'
import {
  api,
  createUser,
  DEMO,
  openSocket,
  signIn,
  startTestServer,
  type TestServer,
  testDialect,
} from '@suportra/server/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addBuilder } from '../src/admin/commands.js'

// Two server instances on one PostgreSQL database, in this process: what one instance does, the
// other's sockets hear; what must happen once happens once, whichever instance is asked.

type MessageEvent = Extract<RealtimeEvent, { type: 'message' }>
const isMessage = (event: RealtimeEvent): event is MessageEvent => event.type === 'message'
const unlimited = { points: 100_000, duration: 60 }

async function pair(options: Parameters<typeof startTestServer>[0] = {}) {
  const a = await startTestServer(options)
  const b = await startTestServer({ ...options, db: a.db, dataDir: a.current.context.filesDir })
  const close = async () => {
    await b.close()
    await a.close()
  }
  return { a, b, close }
}

describe.skipIf(testDialect() !== 'postgres')('two instances on one PostgreSQL database', () => {
  let a: TestServer
  let b: TestServer
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ a, b, close } = await pair({
      rateLimits: { send: unlimited, auth: unlimited },
      heartbeatMs: 60_000,
    }))
  })
  afterAll(() => close())

  /** A user (with credits) and the demo builder in a session started on A and claimed on B. */
  async function activeSession(topic = 'Auth redirect loop') {
    const user = await createUser(a, { credits: 1 })
    const builder = await signIn(b.url, DEMO.builder.email)
    const started = await api(a.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'lovable', topic },
    })
    const id: string = started.body.session.id
    expect(
      (await api(b.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: builder.accessToken })).status,
    ).toBe(200)
    return { user, builder, id }
  }

  const send = (server: TestServer, token: string, sessionId: string, id: string, text = id) =>
    api(server.url, 'POST', `/v1/sessions/${sessionId}/messages`, { token, body: { id, text } })

  test('both instances really share one PostgreSQL database', async () => {
    expect(a.current.context.store.dialect).toBe('postgres')
    expect(b.db).toBe(a.db)
    const user = await createUser(a, { credits: 2 })
    expect((await api(b.url, 'GET', '/v1/credits', { token: user.accessToken })).body).toEqual({ balance: 2 })
  })

  test('what happens on one instance reaches sockets on the other: queue, credits, session, messages, typing', async () => {
    const user = await createUser(a, { credits: 2 })
    const builder = await signIn(b.url, DEMO.builder.email)
    const userSocket = await openSocket(a.url, user.accessToken)
    const builderSocket = await openSocket(b.url, builder.accessToken)

    const started = await api(a.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'bolt', topic: 'Deploy fails' },
    })
    const id: string = started.body.session.id
    await builderSocket.next((e) => e.type === 'queue' && e.action === 'added' && e.session.id === id)
    expect(await userSocket.next((e) => e.type === 'credits')).toEqual({ type: 'credits', balance: 1 })

    await api(b.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: builder.accessToken })
    await userSocket.next((e) => e.type === 'session' && e.session.status === 'active')

    const sent = (await send(b, builder.accessToken, id, 'cross-0001', 'Try clearing the cache')).body.message
    const received = await userSocket.next((e) => isMessage(e) && e.message.clientId === 'cross-0001')
    expect((received as MessageEvent).message).toEqual(sent)

    await api(a.url, 'POST', `/v1/sessions/${id}/typing`, { token: user.accessToken })
    expect(await builderSocket.next((e) => e.type === 'typing')).toMatchObject({
      sessionId: id,
      author: 'user',
    })
    userSocket.close()
    builderSocket.close()
  })

  test("a queue event crossing instances reaches only builders who cover the session's tool", async () => {
    const email = `bolt-only-instances-${Date.now()}@example.com`
    await addBuilder(a.current.context, {
      name: 'Bo',
      email,
      password: DEMO.builder.password,
      tools: ['bolt'],
    })
    const boltOnly = await openSocket(b.url, (await signIn(b.url, email)).accessToken)
    const covering = await openSocket(b.url, (await signIn(b.url, DEMO.builder.email)).accessToken)
    const user = await createUser(a, { credits: 2 })
    const start = async (tool: string) =>
      (await api(a.url, 'POST', '/v1/sessions', { token: user.accessToken, body: { tool, topic: 'x' } })).body
        .session.id as string
    const cursor = await start('cursor')
    await covering.next((e) => e.type === 'queue' && e.session.id === cursor)
    const bolt = await start('bolt') // control: the bolt-only socket hears its own tool
    await boltOnly.next((e) => e.type === 'queue' && e.session.id === bolt)
    expect(JSON.stringify(boltOnly.events)).not.toContain(cursor)
    boltOnly.close()
    covering.close()
  })

  test('events far over the 8000-byte NOTIFY limit arrive whole on the other instance', async () => {
    const user = await createUser(a, { credits: 1 })
    const builder = await signIn(b.url, DEMO.builder.email)
    const builderSocket = await openSocket(b.url, builder.accessToken)
    // Multi-byte characters, quotes, backslashes and newlines: the pieces must cut none of them.
    const line = 'const ok = "naïve — ✓ 𝒳 \\"quoted\\" \\\\ 日本語 😀";\n'
    const context = { file: 'src/app.ts', diff: line.repeat(Math.floor(60_000 / Buffer.byteLength(line))) }
    expect(Buffer.byteLength(JSON.stringify(context))).toBeGreaterThan(50_000)
    const started = await api(a.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'cursor', topic: 'Huge diff', context },
    })
    expect(started.status).toBe(201)
    const added = await builderSocket.next(
      (e) => e.type === 'queue' && e.session.id === started.body.session.id,
    )
    expect(added).toMatchObject({ session: { context } })

    const id: string = started.body.session.id
    await api(b.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: builder.accessToken })
    const content = line.repeat(Math.floor(150_000 / line.length))
    const sent = await api(a.url, 'POST', `/v1/sessions/${id}/messages`, {
      token: user.accessToken,
      body: { id: 'huge-code-0001', text: 'the whole file', code: { language: 'ts', content } },
    })
    expect(sent.status).toBe(201)
    const received = await builderSocket.next((e) => isMessage(e) && e.message.clientId === 'huge-code-0001')
    expect((received as MessageEvent).message).toEqual(sent.body.message)
    builderSocket.close()
  })

  test('a client whose socket dropped resumes on the other instance with exactly what it missed', async () => {
    const { user, builder, id } = await activeSession()
    const first = await openSocket(a.url, user.accessToken)
    await send(b, builder.accessToken, id, 'before-drop')
    const seen = (await first.next(
      (e) => isMessage(e) && e.message.clientId === 'before-drop',
    )) as MessageEvent
    first.ws.terminate()

    const missed: Message[] = []
    for (let i = 0; i < 20; i++) {
      const server = i % 2 ? a : b
      missed.push(
        (await send(server, builder.accessToken, id, `missed-${String(i).padStart(4, '0')}`)).body.message,
      )
    }
    const second = await openSocket(b.url, user.accessToken, { resume: { [id]: seen.message.seq } })
    const replayed = second.events.filter(isMessage).map((e) => e.message)
    expect(replayed).toEqual(missed)
    expect(second.events.at(-1)?.type).toBe('ready')

    // Live delivery goes on from both instances, without repeats.
    await send(a, builder.accessToken, id, 'after-resume-a')
    await send(b, builder.accessToken, id, 'after-resume-b')
    await second.next((e) => isMessage(e) && e.message.clientId === 'after-resume-a')
    await second.next((e) => isMessage(e) && e.message.clientId === 'after-resume-b')
    const seqs = second.events.filter(isMessage).map((e) => e.message.seq)
    expect(seqs).toEqual(Array.from({ length: 22 }, (_, i) => seen.message.seq + 1 + i))
    second.close()
  })

  test('messages sent on both instances while a socket resumes: none lost, none doubled', async () => {
    const { user, builder, id } = await activeSession()
    const sends = Array.from({ length: 60 }, (_, i) =>
      send(i % 2 ? a : b, builder.accessToken, id, `race-${String(i).padStart(4, '0')}`),
    )
    const socket = await openSocket(b.url, user.accessToken, { resume: { [id]: 0 } })
    await Promise.all(sends)
    const lastSeq = 2 + 60 // started + claimed + 60 messages
    await socket.next((e) => isMessage(e) && e.message.seq === lastSeq)
    await new Promise((resolve) => setTimeout(resolve, 200)) // late notifications from A, if any
    const seqs = socket.events.filter(isMessage).map((e) => e.message.seq)
    expect(new Set(seqs).size).toBe(seqs.length)
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1))
    socket.close()
  })

  test('claims split across both instances: exactly one builder wins and the hold is captured once', async () => {
    const user = await createUser(a, { credits: 1 })
    const session = (
      await api(a.url, 'POST', '/v1/sessions', {
        token: user.accessToken,
        body: { tool: 'cursor', topic: 'x' },
      })
    ).body.session
    const builders = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const email = `instances-claimer-${i}@example.com`
        await addBuilder(a.current.context, {
          name: `Claimer ${i}`,
          email,
          password: 'builder-password',
          tools: [],
        })
        return (await signIn(i % 2 ? a.url : b.url, email, 'builder-password')).accessToken
      }),
    )
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        api(i % 2 ? a.url : b.url, 'POST', `/v1/builder/sessions/${session.id}/claim`, {
          token: builders[i % builders.length],
        }),
      ),
    )
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    expect(results.filter((r) => r.status === 409)).toHaveLength(59)
    const ledger = await a.current.context.store.db
      .selectFrom('ledger')
      .select(['kind', 'amount'])
      .where('reference', '=', session.id)
      .execute()
    expect(ledger.map((r) => r.kind).sort()).toEqual(['capture', 'hold'])
  })

  test('cancel on one instance racing a claim on the other: one wins, the hold resolves once', async () => {
    const grace = await signIn(b.url, DEMO.builder.email)
    for (let round = 0; round < 10; round++) {
      const user = await createUser(a, { credits: 1 })
      const { id } = (
        await api(a.url, 'POST', '/v1/sessions', {
          token: user.accessToken,
          body: { tool: 'v0', topic: 'x' },
        })
      ).body.session
      const [cancel, claim] = await Promise.all([
        api(a.url, 'POST', `/v1/sessions/${id}/cancel`, { token: user.accessToken }),
        api(b.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: grace.accessToken }),
      ])
      expect([cancel.status, claim.status].sort()).toEqual([200, 409])
      const balance = (await api(b.url, 'GET', '/v1/credits', { token: user.accessToken })).body.balance
      expect(balance).toBe(cancel.status === 200 ? 1 : 0)
    }
  })

  test('starts on both instances against a balance of 3: exactly 3 holds, never below zero', async () => {
    const user = await createUser(a, { credits: 3 })
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api(i % 2 ? a.url : b.url, 'POST', '/v1/sessions', {
          token: user.accessToken,
          body: { tool: 'replit', topic: `Topic ${i}` },
        }),
      ),
    )
    expect(results.filter((r) => r.status === 201)).toHaveLength(3)
    expect(results.filter((r) => r.status === 402)).toHaveLength(17)
    expect((await api(a.url, 'GET', '/v1/credits', { token: user.accessToken })).body.balance).toBe(0)
  })

  test('one Idempotency-Key sent to both instances at once: one session, one hold', async () => {
    const user = await createUser(a, { credits: 2 })
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api(i % 2 ? a.url : b.url, 'POST', '/v1/sessions', {
          token: user.accessToken,
          headers: { 'idempotency-key': 'across-instances-1' },
          body: { tool: 'v0', topic: 'Deploy is stuck' },
        }),
      ),
    )
    expect(new Set(results.map((r) => r.body.session.id)).size).toBe(1)
    expect(results.filter((r) => r.status === 201)).toHaveLength(1)
    expect((await api(b.url, 'GET', '/v1/credits', { token: user.accessToken })).body.balance).toBe(1)
  })

  test('a message retried on both instances is stored once; sends on both get gap-free seq', async () => {
    const { user, builder, id } = await activeSession()
    const retries = await Promise.all(
      Array.from({ length: 10 }, (_, i) => send(i % 2 ? a : b, user.accessToken, id, 'retried-0001', 'once')),
    )
    expect(retries.filter((r) => r.status === 201)).toHaveLength(1)
    expect(new Set(retries.map((r) => `${r.body.message.id}:${r.body.message.seq}`)).size).toBe(1)

    const sends = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        send(
          i % 2 ? a : b,
          i % 3 ? user.accessToken : builder.accessToken,
          id,
          `both-${String(i).padStart(4, '0')}`,
        ),
      ),
    )
    expect(sends.every((r) => r.status === 201)).toBe(true)
    const rows = await b.current.context.store.db
      .selectFrom('messages')
      .select('seq')
      .where('session_id', '=', id)
      .orderBy('seq')
      .execute()
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 63 }, (_, i) => i + 1))
  })

  test('concurrent refreshes of one token on both instances: one rotation, nobody signed out', async () => {
    const user = await createUser(a)
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        api(i % 2 ? a.url : b.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } }),
      ),
    )
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200))
    const me = await api(b.url, 'GET', '/v1/me', { token: results[0]?.body.accessToken })
    expect(me.status).toBe(200)
  })

  test('signing out on one instance closes that sign-in’s sockets on the other, and the other refuses its token', async () => {
    const user = await createUser(a)
    const socket = await openSocket(b.url, user.accessToken)
    // B has verified (and so remembers) the token: the revocation crossing the bus makes it forget it.
    expect((await api(b.url, 'GET', '/v1/me', { token: user.accessToken })).status).toBe(200)
    await api(a.url, 'POST', '/v1/auth/sign-out', { token: user.accessToken })
    expect(await socket.closed).toBe(CLOSE_CODES.revoked)
    expect((await api(b.url, 'GET', '/v1/me', { token: user.accessToken })).status).toBe(401)
  })

  test('when an instance loses its bus connection, its sockets are told to resume, and delivery goes on', async () => {
    const { user, builder, id } = await activeSession()
    const socket = await openSocket(a.url, user.accessToken)
    const { db } = a.current.context.store
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
              where application_name = 'suportra-realtime' and datname = current_database()`.execute(db)
    expect(await socket.closed).toBe(CLOSE_CODES.goingAway)

    const again = await openSocket(a.url, user.accessToken, { resume: { [id]: 2 } })
    const sent = (await send(b, builder.accessToken, id, 'after-bus-reconnect')).body.message
    const received = await again.next((e) => isMessage(e) && e.message.clientId === 'after-bus-reconnect')
    expect((received as MessageEvent).message).toEqual(sent)
    again.close()
  })
})

describe.skipIf(testDialect() !== 'postgres')('rate limits on PostgreSQL', () => {
  test('are shared: a limit of 5 messages a minute is 5 across both instances, not 5 each', async () => {
    const { a, b, close } = await pair({ rateLimits: { send: { points: 5, duration: 60 } } })
    try {
      const user = await createUser(a, { credits: 1 })
      const { id } = (
        await api(a.url, 'POST', '/v1/sessions', {
          token: user.accessToken,
          body: { tool: 'cursor', topic: 'x' },
        })
      ).body.session
      const results = []
      for (let i = 0; i < 10; i++)
        results.push(await send(i % 2 ? a : b, user.accessToken, id, `limited-${String(i).padStart(4, '0')}`))
      expect(results.map((r) => r.status)).toEqual([...Array(5).fill(201), ...Array(5).fill(429)])
      expect(results[9]?.headers.get('retry-after')).toMatch(/^\d+$/)
    } finally {
      await close()
    }
  })

  function send(server: TestServer, token: string, sessionId: string, id: string) {
    return api(server.url, 'POST', `/v1/sessions/${sessionId}/messages`, { token, body: { id, text: id } })
  }
})

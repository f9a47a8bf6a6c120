import { parseRealtimeEvent, type RealtimeEvent } from '@suportra/protocol'
import {
  api,
  chargeObject,
  checkoutSessionObject,
  createUser,
  DEMO,
  deliverStripeWebhook,
  insertWaitingSessions,
  openSocket,
  signIn,
  signStripePayload,
  startTestServer,
  stripeEventPayload,
  type TestServer,
  type TestSocket,
  testDialect,
} from '@suportra/server/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { BusMessage, PersonalEvent } from '../src/realtime/bus.js'
import { expireWaiting } from '../src/sessions/withdraw.js'

// A waiting user hears their own place in the queue whenever it moves (a session ahead is claimed,
// cancelled or expires), and nothing about anyone else's session.

type Position = Extract<RealtimeEvent, { type: 'position' }>
const isPosition = (event: RealtimeEvent): event is Position => event.type === 'position'

interface Waiting {
  name: string
  token: string
  userId: string
  sessionId: string
  topic: string
  socket: TestSocket
}

/** A new user with a socket on `socketOn`, who starts a session on `startOn`. */
async function waitingUser(name: string, startOn: TestServer, socketOn = startOn): Promise<Waiting> {
  // A full name: a random id may hold "Ada", never "Ada Example".
  const auth = await createUser(startOn, { name: `${name} Example`, credits: 2 })
  const socket = await openSocket(socketOn.url, auth.accessToken)
  const topic = `${name}'s private blocker ${Math.random().toString(36).slice(2)}`
  const started = await api(startOn.url, 'POST', '/v1/sessions', {
    token: auth.accessToken,
    body: { tool: name === 'Cleo' ? 'cursor' : 'lovable', topic, context: { error: `${name} secret stack` } },
  })
  expect(started.status).toBe(201)
  return {
    name,
    token: auth.accessToken,
    userId: auth.user.id,
    sessionId: started.body.session.id,
    topic,
    socket,
  }
}

/** The next `position` event about `user`'s session with this position. */
function moved(user: Waiting, position: number) {
  return user.socket.next(
    (event) => isPosition(event) && event.sessionId === user.sessionId && event.queue.position === position,
  ) as Promise<Position>
}

/** The position events each `personal` bus message of `server` carried, one list per message, from now on. */
function personalMessages(server: TestServer) {
  const messages: PersonalEvent[][] = []
  const stop = server.current.context.bus.subscribe((message: BusMessage) => {
    if (message.kind === 'personal') messages.push(message.events)
    // Position events one by one are what this replaced: none may remain.
    if (message.kind === 'event' && message.event.type === 'position')
      messages.push([{ userId: '?', event: message.event }])
  })
  return { messages, stop }
}

/** Where `user`'s session stands, as the API says. */
async function positionOf(server: TestServer, user: Waiting): Promise<number> {
  const { body } = await api(server.url, 'GET', `/v1/sessions/${user.sessionId}`, { token: user.token })
  return body.session.queue.position
}

/** Waits until everything sent to `user`'s socket so far has arrived (a ping and its pong). */
async function flushed(user: Waiting) {
  const pongs = user.socket.events.filter((e) => e.type === 'pong').length
  user.socket.ws.send(JSON.stringify({ type: 'ping' }))
  await user.socket.next(() => user.socket.events.filter((e) => e.type === 'pong').length > pongs)
}

/** Nothing another user could be identified by (their session, topic, name, id, context) reached `user`. */
function expectNothingAbout(user: Waiting, others: Waiting[]) {
  const heard = JSON.stringify(user.socket.events)
  for (const other of others) {
    for (const secret of [
      other.sessionId,
      other.topic,
      other.userId,
      `${other.name} Example`,
      `${other.name} secret`,
    ])
      expect(heard).not.toContain(secret)
  }
  for (const event of user.socket.events.filter(isPosition)) {
    expect(event.sessionId).toBe(user.sessionId)
    // Exactly the fields of the protocol, which validates it too.
    expect(Object.keys(event).sort()).toEqual(['queue', 'sessionId', 'type'])
    expect(Object.keys(event.queue).sort()).toEqual(['expectedWaitSeconds', 'position'])
    expect(parseRealtimeEvent(event)).toEqual(event)
  }
}

describe('one instance', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.close())

  test('three users waiting: a claim and a cancel move the others up, each hearing only of their own session', async () => {
    const grace = await signIn(server.url, DEMO.builder.email)
    const ada = await waitingUser('Ada', server)
    const bea = await waitingUser('Bea', server)
    const cleo = await waitingUser('Cleo', server)
    const position = async (user: Waiting) =>
      (await api(server.url, 'GET', `/v1/sessions/${user.sessionId}`, { token: user.token })).body.session
        .queue?.position
    expect([await position(ada), await position(bea), await position(cleo)]).toEqual([1, 2, 3])

    // Grace claims Ada's session: Bea is next, Cleo second, and both learn the expected wait.
    const claim = await api(server.url, 'POST', `/v1/builder/sessions/${ada.sessionId}/claim`, {
      token: grace.accessToken,
    })
    expect(claim.status).toBe(200)
    const [beaNow, cleoNow] = await Promise.all([moved(bea, 1), moved(cleo, 2)])
    expect(beaNow.queue.expectedWaitSeconds).toEqual(expect.any(Number))
    expect(cleoNow.queue.expectedWaitSeconds).toBe(beaNow.queue.expectedWaitSeconds)
    // Ada is no longer waiting: her socket hears the claim, not a place.
    await ada.socket.next((event) => event.type === 'session' && event.session.status === 'active')
    expect(ada.socket.events.filter(isPosition)).toEqual([])

    // Bea gives up: Cleo is next.
    const cancel = await api(server.url, 'POST', `/v1/sessions/${bea.sessionId}/cancel`, { token: bea.token })
    expect(cancel.status).toBe(200)
    await moved(cleo, 1)
    expect(await position(cleo)).toBe(1)

    expectNothingAbout(ada, [bea, cleo])
    expectNothingAbout(bea, [ada, cleo])
    expectNothingAbout(cleo, [ada, bea])
    for (const user of [ada, bea, cleo]) user.socket.close()
  })

  test('a session ahead that expires moves the ones behind it up', async () => {
    const first = await waitingUser('Dora', server)
    const second = await waitingUser('Emil', server)
    const before = (await api(server.url, 'GET', `/v1/sessions/${second.sessionId}`, { token: second.token }))
      .body.session.queue.position as number
    // Only Dora's session is old enough to expire.
    await server.current.context.store.db
      .updateTable('sessions')
      .set({ created_at: Date.now() - 60 * 60_000 })
      .where('id', '=', first.sessionId)
      .execute()
    expect(await expireWaiting(server.current.context)).toBe(1)
    const now = await second.socket.next((event) => isPosition(event) && event.sessionId === second.sessionId)
    expect(now).toMatchObject({ queue: { position: before - 1 } })
    expectNothingAbout(second, [first])
    for (const user of [first, second]) user.socket.close()
  })

  test('a burst of changes reaches everyone with their final place', async () => {
    const grace = await signIn(server.url, DEMO.builder.email)
    const users: Waiting[] = []
    for (const name of ['Finn', 'Gus', 'Hana', 'Ivo', 'Jon', 'Kai'])
      users.push(await waitingUser(name, server))
    const [a, b, c, ...rest] = users as [Waiting, Waiting, Waiting, ...Waiting[]]
    const waitingBefore = (
      await api(server.url, 'GET', '/v1/builder/queue', { token: grace.accessToken })
    ).body.queue.map((s: { id: string }) => s.id) as string[]
    // Three sessions leave the queue at once: a claim and two cancels.
    await Promise.all([
      api(server.url, 'POST', `/v1/builder/sessions/${a.sessionId}/claim`, { token: grace.accessToken }),
      api(server.url, 'POST', `/v1/sessions/${b.sessionId}/cancel`, { token: b.token }),
      api(server.url, 'POST', `/v1/sessions/${c.sessionId}/cancel`, { token: c.token }),
    ])
    for (const user of rest) {
      const expected = waitingBefore.filter((id) => ![a, b, c].some((gone) => gone.sessionId === id))
      const place = expected.indexOf(user.sessionId) + 1
      await moved(user, place)
      expectNothingAbout(
        user,
        users.filter((other) => other !== user),
      )
    }
    for (const user of users) user.socket.close()
  })
})

describe('only those whose place changed are told, in one bus message', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.close())

  test('a session leaving tells those behind it, not those ahead; the last one leaving tells nobody', async () => {
    const [ada, bea, cleo, dora] = [
      await waitingUser('Ada', server),
      await waitingUser('Bea', server),
      await waitingUser('Cleo', server),
      await waitingUser('Dora', server),
    ] as [Waiting, Waiting, Waiting, Waiting]
    const beaWas = await positionOf(server, bea)
    const bus = personalMessages(server)
    try {
      // Bea leaves: Cleo and Dora move up, in one message; Ada, ahead of her, hears nothing.
      await api(server.url, 'POST', `/v1/sessions/${bea.sessionId}/cancel`, { token: bea.token })
      await Promise.all([moved(cleo, beaWas), moved(dora, beaWas + 1)])
      await flushed(ada)
      expect(ada.socket.events.filter(isPosition)).toEqual([])
      expect(bus.messages).toHaveLength(1)
      expect(bus.messages[0]?.map((e) => e.userId)).toEqual([cleo.userId, dora.userId])
      // Dora, the last, leaves: nobody is behind her. Then Ada leaves: Cleo moves up once more.
      await api(server.url, 'POST', `/v1/sessions/${dora.sessionId}/cancel`, { token: dora.token })
      await api(server.url, 'POST', `/v1/sessions/${ada.sessionId}/cancel`, { token: ada.token })
      await moved(cleo, beaWas - 1)
      expect(bus.messages.map((events) => events.map((e) => e.userId))).toEqual([
        [cleo.userId, dora.userId],
        [cleo.userId],
      ])
    } finally {
      bus.stop()
    }
    for (const user of [ada, bea, cleo, dora]) user.socket.close()
  })

  test('a refund that withdraws a waiting session moves the users behind it up', async () => {
    // The payer buys a pack (test checkout + signed webhook), starts a session with it, and the
    // payment is refunded: the refund withdraws the session (billing/reversal.ts).
    const payer = await createUser(server, { name: 'Paula Example' })
    const checkout = await api(server.url, 'POST', '/v1/credits/checkout', {
      token: payer.accessToken,
      body: {
        packId: 'pack_3',
        successUrl: 'http://localhost:5173/ok',
        cancelUrl: 'http://localhost:5173/no',
      },
    })
    expect(checkout.status).toBe(200)
    const purchase = await server.current.context.store.db
      .selectFrom('purchases')
      .select('id')
      .where('user_id', '=', payer.user.id)
      .executeTakeFirstOrThrow()
    const paymentIntent = `pi_queue_${Date.now().toString(36)}`
    const deliver = (type: string, object: Record<string, unknown>) => {
      const payload = stripeEventPayload(type, object)
      const secret = server.current.context.config.stripe.webhookSecret
      return deliverStripeWebhook(server.url, payload, signStripePayload(payload, secret))
    }
    expect(
      (
        await deliver(
          'checkout.session.completed',
          checkoutSessionObject({ purchaseId: purchase.id, paymentIntent }),
        )
      ).status,
    ).toBe(200)
    const started = await api(server.url, 'POST', '/v1/sessions', {
      token: payer.accessToken,
      body: { tool: 'cursor', topic: 'Paid with a pack that will be refunded' },
    })
    expect(started.status).toBe(201)
    const behind = await waitingUser('Rafa', server)
    const was = await positionOf(server, behind)

    expect(
      (await deliver('charge.refunded', chargeObject({ paymentIntent, amountRefunded: 2900 }))).status,
    ).toBe(200)
    const { body } = await api(server.url, 'GET', `/v1/sessions/${started.body.session.id}`, {
      token: payer.accessToken,
    })
    expect(body.session.status).toBe('cancelled')
    await moved(behind, was - 1)
    expect(await positionOf(server, behind)).toBe(was - 1)
    behind.socket.close()
  })
})

describe.skipIf(testDialect() !== 'postgres')('two instances on one PostgreSQL database', () => {
  let a: TestServer
  let b: TestServer
  beforeAll(async () => {
    a = await startTestServer()
    b = await startTestServer({ db: a.db, dataDir: a.current.context.filesDir })
  })
  afterAll(async () => {
    await b.close()
    await a.close()
  })

  test('a claim on one instance moves the users connected to the other', async () => {
    const grace = await signIn(b.url, DEMO.builder.email)
    // Sockets on A, sessions started on A; the claim and the cancel happen on B.
    const first = await waitingUser('Lena', a)
    const second = await waitingUser('Milo', a)
    const third = await waitingUser('Nora', a)
    await api(b.url, 'POST', `/v1/builder/sessions/${first.sessionId}/claim`, { token: grace.accessToken })
    await Promise.all([moved(second, 1), moved(third, 2)])
    await api(b.url, 'POST', `/v1/sessions/${second.sessionId}/cancel`, { token: second.token })
    await moved(third, 1)
    expectNothingAbout(second, [first, third])
    expectNothingAbout(third, [first, second])
    for (const user of [first, second, third]) user.socket.close()
  })

  test('a claim ahead of 150 waiting sessions costs a few NOTIFYs, not 150, and reaches the other instance', async () => {
    const grace = await signIn(b.url, DEMO.builder.email)
    const first = await waitingUser('Olga', a)
    const was = await positionOf(a, first)
    // 150 sessions behind Olga's, of one user whose socket is on A (rows written directly: only
    // their place in the queue matters here).
    const many = await createUser(a, { name: 'Many Example' })
    const socket = await openSocket(a.url, many.accessToken)
    const now = Date.now() + 1_000
    const ids = Array.from(
      { length: 150 },
      (_, i) => `ses_many_${String(i).padStart(3, '0')}_${now.toString(36)}`,
    )
    await insertWaitingSessions(
      a.current.context.store.db,
      ids.map((id, i) => ({
        id,
        userId: many.user.id,
        tool: 'cursor',
        topic: `Waiting ${i}`,
        createdAt: now + i,
      })),
    )
    // Every notification on the instances' channel while the claim is told.
    const listener = new pg.Client({ connectionString: a.db })
    await listener.connect()
    const payloads: string[] = []
    listener.on('notification', (n) => payloads.push(n.payload ?? ''))
    await listener.query('LISTEN suportra_realtime')
    try {
      await api(b.url, 'POST', `/v1/builder/sessions/${first.sessionId}/claim`, { token: grace.accessToken })
      // The last one in the queue hears its new place on A.
      await socket.next(
        (e) => isPosition(e) && e.sessionId === ids[149] && e.queue.position === was + 149,
        10_000,
      )
      const places = socket.events.filter(isPosition).map((e) => [e.sessionId, e.queue.position])
      expect(places).toEqual(ids.map((id, i) => [id, was + i]))
      const positions = payloads.filter((p) => p.includes('"personal"') || p.includes('"c":')).length
      console.log(
        `a claim ahead of 150 waiting sessions: ${payloads.length} notifications (${positions} carrying positions), ${payloads.reduce((n, p) => n + Buffer.byteLength(p), 0)} bytes`,
      )
      // The claim's own three (session, event message, builders' queue) and the positions in a few
      // pieces of under 8000 bytes; one notification per waiting user before.
      expect(payloads.length).toBeLessThanOrEqual(10)
      for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8_000)
    } finally {
      await listener.end()
      socket.close()
      first.socket.close()
    }
  })
})

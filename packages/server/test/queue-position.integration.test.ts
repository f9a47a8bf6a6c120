import { parseRealtimeEvent, type RealtimeEvent } from '@suportra/client/protocol'
import {
  api,
  createUser,
  DEMO,
  openSocket,
  signIn,
  startTestServer,
  type TestServer,
  type TestSocket,
  testDialect,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { expireWaiting } from '../src/sessions/lifecycle.js'

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
})

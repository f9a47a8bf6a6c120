import type { RealtimeEvent } from '@suportra/protocol'
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
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// Whether anyone is there: a builder counts while available (the console's switch) and connected;
// users hear every change as an `availability` event; business hours close the app.

type AvailabilityEvent = Extract<RealtimeEvent, { type: 'availability' }>
const availability =
  (status: string) =>
  (event: RealtimeEvent): event is AvailabilityEvent =>
    event.type === 'availability' && event.availability.status === status

const get = (server: TestServer, query = '') =>
  api(server.url, 'GET', `/v1/availability${query}`, { app: DEMO.appId })

describe('availability', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ presenceRefreshMs: 200 })
  })
  afterAll(() => server?.close())

  test('offline with no builder connected, online while one is, busy when every slot is taken, away is offline', async () => {
    const before = await get(server)
    expect(before.status).toBe(200)
    expect(before.body).toMatchObject({ status: 'offline', buildersOnline: 0, expectedWait: null })

    const user = await createUser(server, { credits: 3 })
    const userSocket = await openSocket(server.url, user.accessToken)
    const builder = await signIn(server.url, DEMO.builder.email)
    const builderSocket = await openSocket(server.url, builder.accessToken)
    await userSocket.next(availability('online'))
    expect((await get(server, '?tool=cursor')).body).toMatchObject({ status: 'online', buildersOnline: 1 })

    // One waiting session takes the only free slot: a new question would wait behind it.
    const started = await api(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'cursor', topic: 'Build fails' },
    })
    expect(started.status).toBe(201)
    await userSocket.next(availability('busy'))
    expect((await get(server, '?tool=cursor')).body.status).toBe('busy')

    // The builder switches to away: connected, but not counted.
    const away = await api(server.url, 'POST', '/v1/builder/availability', {
      token: builder.accessToken,
      body: { available: false },
    })
    expect(away.body).toEqual({ available: false })
    await userSocket.next(availability('offline'))
    expect(
      (await api(server.url, 'GET', '/v1/builder/availability', { token: builder.accessToken })).body,
    ).toEqual({ available: false })
    await api(server.url, 'POST', '/v1/builder/availability', {
      token: builder.accessToken,
      body: { available: true },
    })
    const back = userSocket.events.length
    await userSocket.next((e) => userSocket.events.indexOf(e) >= back && availability('busy')(e))

    // Gone: the socket closes, and the user hears it.
    builderSocket.close()
    await userSocket.next((e) => userSocket.events.indexOf(e) >= back && availability('offline')(e))
    expect((await get(server)).body.buildersOnline).toBe(0)
    userSocket.close()
  })

  test('bad input: unknown tool, missing app, users cannot flip the switch, bad bodies', async () => {
    expect((await get(server, '?tool=nope')).body.error.code).toBe('validation')
    expect((await api(server.url, 'GET', '/v1/availability')).status).toBe(400)
    expect((await api(server.url, 'GET', '/v1/availability', { app: 'app_nope' })).status).toBe(404)
    const user = await createUser(server)
    const refused = await api(server.url, 'POST', '/v1/builder/availability', {
      token: user.accessToken,
      body: { available: false },
    })
    expect(refused.status).toBe(403)
    const builder = await signIn(server.url, DEMO.builder.email)
    for (const body of [{}, { available: 'yes' }, { available: true, extra: 1 }, [true]]) {
      const bad = await api(server.url, 'POST', '/v1/builder/availability', {
        token: builder.accessToken,
        body,
      })
      expect(bad.status).toBe(400)
    }
    const garbage = await api(server.url, 'POST', '/v1/builder/availability', {
      token: builder.accessToken,
      raw: '{"available":',
      headers: { 'content-type': 'application/json' },
    })
    expect(garbage.status).toBe(400)
    const huge = await get(server, `?tool=${'x'.repeat(50_000)}`)
    expect([400, 414, 431]).toContain(huge.status)
  })

  test('a flood of reads and of concurrent switches: every answer 200, the last switch wins', async () => {
    const reads = await Promise.all(Array.from({ length: 200 }, () => get(server, '?tool=v0')))
    expect(new Set(reads.map((r) => r.status))).toEqual(new Set([200]))
    const builder = await signIn(server.url, DEMO.builder.email)
    const flips = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api(server.url, 'POST', '/v1/builder/availability', {
          token: builder.accessToken,
          body: { available: i % 2 === 0 },
        }),
      ),
    )
    expect(new Set(flips.map((r) => r.status))).toEqual(new Set([200]))
    await api(server.url, 'POST', '/v1/builder/availability', {
      token: builder.accessToken,
      body: { available: true },
    })
    expect(
      (await api(server.url, 'GET', '/v1/builder/availability', { token: builder.accessToken })).body,
    ).toEqual({
      available: true,
    })
  })

  test('outside business hours: offline with when they open next', async () => {
    // Open one minute a week, an hour from now (in UTC): closed now, `nextOpen` in an hour.
    const at = new Date(Date.now() + 60 * 60_000)
    const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][at.getUTCDay()] as string
    const hh = String(at.getUTCHours()).padStart(2, '0')
    const mm = at.getUTCMinutes()
    if (mm === 59) at.setUTCMinutes(58)
    const from = `${hh}:${String(at.getUTCMinutes()).padStart(2, '0')}`
    const to = `${hh}:${String(at.getUTCMinutes() + 1).padStart(2, '0')}`
    const hours = { timeZone: 'UTC', weekly: { [day]: [`${from}-${to}`] } }
    await server.current.context.store.db
      .updateTable('apps')
      .set({ business_hours: JSON.stringify(hours) })
      .where('id', '=', DEMO.appId)
      .execute()
    server.current.context.apps.invalidate()
    const builder = await signIn(server.url, DEMO.builder.email)
    const socket = await openSocket(server.url, builder.accessToken)
    const closed = await get(server)
    expect(closed.body.status).toBe('offline')
    const opening = new Date(at)
    opening.setUTCSeconds(0, 0)
    expect(closed.body.nextOpen).toBe(opening.getTime())
    socket.close()
    await server.current.context.store.db
      .updateTable('apps')
      .set({ business_hours: null })
      .where('id', '=', DEMO.appId)
      .execute()
    server.current.context.apps.invalidate()
  })
})

describe.skipIf(testDialect() !== 'postgres')('availability across two PostgreSQL instances', () => {
  test('a builder connected to one instance makes the app online for a user on the other', async () => {
    const a = await startTestServer({ presenceRefreshMs: 200 })
    const b = await startTestServer({ presenceRefreshMs: 200, db: a.db, dataDir: a.current.context.filesDir })
    try {
      const user = await createUser(a)
      const userSocket = await openSocket(b.url, user.accessToken)
      const builder = await signIn(a.url, DEMO.builder.email)
      const builderSocket = await openSocket(a.url, builder.accessToken)
      await userSocket.next(availability('online'))
      expect((await get(b)).body).toMatchObject({ status: 'online', buildersOnline: 1 })
      await api(b.url, 'POST', '/v1/builder/availability', {
        token: builder.accessToken,
        body: { available: false },
      })
      await userSocket.next(availability('offline'))
      builderSocket.close()
      userSocket.close()
    } finally {
      await b.close()
      await a.close()
    }
  })
})

import { createClient, memoryStorage, SuportraError } from '@suportra/client'
import { startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { DEMO, eventually, makeClient, watch } from './helpers.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

/** A fetch that answers the next request to `path` with `body` instead of asking the server. */
function tampering() {
  const planned = new Map<string, { status: number; body: string }[]>()
  const fetchFn: typeof fetch = async (input, init) => {
    const path = new URL(String(input)).pathname
    const next = planned.get(path)?.shift()
    if (next)
      return new Response(next.body, { status: next.status, headers: { 'content-type': 'application/json' } })
    return fetch(input, init)
  }
  return {
    fetch: fetchFn,
    plan: (path: string, status: number, body: string) =>
      planned.set(path, [...(planned.get(path) ?? []), { status, body }]),
  }
}

test.each([
  ['malformed JSON', 200, '{"balance": 3'],
  ['an HTML error page from a proxy', 200, '<html>Bad gateway</html>'],
  ['a wrong shape', 200, '{"balance": "three"}'],
  ['a missing field', 200, '{}'],
  ['an error body that is not the contract', 418, '{"oops": true}'],
  ['an empty body', 200, ''],
])('%s becomes a protocol error and the client keeps working', async (_, status, body) => {
  const { fetch, plan } = tampering()
  const client = makeClient(server.url, { fetch })
  await client.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  plan('/v1/credits', status, body)
  const error = await client.credits.refresh().catch((e: unknown) => e)
  expect(SuportraError.isInstance(error)).toBe(true)
  expect(error).toMatchObject({ code: 'protocol' })
  // The next call goes through as usual.
  expect(await client.credits.refresh()).toBeTypeOf('number')
  expect(client.$user.get()?.email).toBe(DEMO.user.email)
  client.destroy()
})

test('a 5xx with a body that is not JSON is a server error, retried for reads', async () => {
  const { fetch, plan } = tampering()
  const client = makeClient(server.url, { fetch })
  await client.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  plan('/v1/credits', 502, 'Bad gateway')
  expect(await client.credits.refresh()).toBeTypeOf('number') // retried after 300 ms
  plan('/v1/tools', 503, '<html>down</html>')
  plan('/v1/tools', 503, '<html>down</html>')
  plan('/v1/tools', 503, '<html>down</html>')
  plan('/v1/tools', 503, '<html>down</html>')
  await expect(client.tools()).rejects.toMatchObject({ code: 'server', status: 503 })
  client.destroy()
})

test('server errors keep their code, message and details', async () => {
  const client = makeClient(server.url)
  await client.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  const session = await client.sessions.start({ tool: 'cursor', topic: 'x' })
  await expect(client.sessions.start({ tool: 'no-such-tool', topic: 'x' })).rejects.toMatchObject({
    code: 'validation',
    status: 400,
    message: expect.stringContaining('Unknown tool'),
  })
  await session.cancel()
  await expect(session.cancel()).rejects.toMatchObject({ code: 'conflict' })
  await expect(
    client.auth.signIn({ email: DEMO.user.email, password: 'wrong-password' }),
  ).rejects.toMatchObject({
    code: 'unauthorized',
  })
  client.destroy()
})

test('an unreachable server is a network error', async () => {
  const client = makeClient('http://127.0.0.1:9')
  await expect(client.tools()).rejects.toMatchObject({ code: 'network' })
  client.destroy()
})

test('Node 20 without a WebSocket given: HTTP works, realtime says why it cannot connect, nothing crashes', async () => {
  vi.stubGlobal('WebSocket', undefined) // as on Node 20, whatever Node runs the tests
  const client = createClient({ baseUrl: server.url, appId: DEMO.appId, storage: memoryStorage() })
  const errors: SuportraError[] = []
  const offError = client.on('error', (error) => errors.push(error))
  // @ts-expect-error: a misspelt event name does not compile
  client.on('eror', () => {})
  await client.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  const stop = watch(client.sessions.$list)
  await eventually(() => expect(errors[0]).toMatchObject({ code: 'network' }))
  expect(errors[0]?.cause).toBeInstanceOf(TypeError)
  expect(client.$connection.get()).not.toBe('open')
  expect((await client.tools()).length).toBeGreaterThan(0)
  stop()
  offError()
  client.destroy()
  vi.unstubAllGlobals()
})

test('while the server is down realtime backs off and says so, then reconnects on its own', async () => {
  const client = makeClient(server.url)
  await client.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  const changes: { current: string; retryIn?: number }[] = []
  const errors: string[] = []
  const offChange = client.on('connection', (change) => changes.push(change))
  const offError = client.on('error', (error) => errors.push(error.code))
  const stop = watch(client.sessions.$list)
  await eventually(() => expect(client.$connection.get()).toBe('open'))

  await server.current.close()
  await eventually(() =>
    expect(changes.some((c) => c.current === 'reconnecting' && (c.retryIn ?? 0) > 0)).toBe(true),
  )
  await eventually(() => expect(errors).toContain('network')) // a failed attempt, reported
  await server.restart()
  await eventually(() => expect(client.$connection.get()).toBe('open'), 20_000)
  stop()
  offChange()
  offError()
  client.destroy()
})

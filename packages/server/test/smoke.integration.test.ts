import { api, DEMO, signIn, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

test('health and demo sign-in', async () => {
  expect((await api(server.url, 'GET', '/health')).body).toEqual({ ok: true })
  const ada = await signIn(server.url, DEMO.user.email)
  expect(ada.user.role).toBe('user')
  const me = await api(server.url, 'GET', '/v1/me', { token: ada.accessToken })
  expect(me.body.user.email).toBe(DEMO.user.email)
  const balance = await api(server.url, 'GET', '/v1/credits', { token: ada.accessToken })
  expect(balance.body).toEqual({ balance: 3 })
})

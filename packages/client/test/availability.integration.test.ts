import { availabilityStore } from '@suportra/client/availability'
import { DEMO, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { eventually, makeClient, signedIn, watch } from './helpers.js'

let server: TestServer
const cleanup: (() => unknown)[] = []
beforeAll(async () => {
  server = await startTestServer()
})
afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn()
})
afterAll(() => server.close())

test('availabilityStore loads when watched (signed out too) and follows the builder’s switch live', async () => {
  const options = { baseUrl: server.url, appId: DEMO.appId }
  const anonymous = makeClient(server.url)
  cleanup.push(() => anonymous.destroy())
  const $anonymous = availabilityStore(anonymous, options)
  expect($anonymous.get()).toBeUndefined()
  cleanup.push(watch($anonymous))
  await eventually(() => expect($anonymous.get()?.status).toBe('offline'))

  const user = await signedIn(server.url, 'user')
  cleanup.push(() => user.destroy())
  const $availability = availabilityStore(user, options)
  cleanup.push(watch($availability))
  await eventually(() => expect($availability.get()).toMatchObject({ status: 'offline', buildersOnline: 0 }))

  // The builder connects away, then switches to available: the user's store follows without a request.
  const builder = await signedIn(server.url, 'builder')
  cleanup.push(() => builder.destroy())
  expect(await builder.builder.available(false)).toBe(false)
  cleanup.push(watch(builder.builder.$queue, builder.$connection))
  await eventually(() => expect(builder.$connection.get()).toBe('open'))
  expect(await builder.builder.available()).toBe(false)
  expect($availability.get()?.status).toBe('offline')
  await builder.builder.available(true)
  await eventually(() =>
    expect($availability.get()).toMatchObject({ status: 'online', buildersOnline: 1, nextOpen: null }),
  )
  await builder.builder.available(false)
  await eventually(() => expect($availability.get()?.status).toBe('offline'))
})

test('a user cannot flip the switch', async () => {
  const user = await signedIn(server.url, 'user')
  cleanup.push(() => user.destroy())
  await expect(user.builder.available(true)).rejects.toMatchObject({ code: 'forbidden' })
})

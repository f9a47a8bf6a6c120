import { afterAll, beforeAll, expect, test } from 'vitest'
import { createApp } from '../app.js'
import type { Context } from '../context.js'
import { createContext } from '../server.js'
import { RESPONSE_SCHEMAS } from './response-schemas.js'

let ctx: Context
beforeAll(async () => {
  ctx = await createContext({ db: ':memory:', devPages: true, checkResponses: true })
})
afterAll(() => ctx.store.close())

/** Every route of the app (development pages included), as `METHOD path`. */
const routesOf = () =>
  new Set(
    createApp(ctx)
      .routes.filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method} ${route.path}`),
  )

test('every route of the app has a response schema, or says why its answer has none', () => {
  const routes = routesOf()
  expect(routes.size).toBeGreaterThan(40)
  expect([...routes].filter((route) => !Object.hasOwn(RESPONSE_SCHEMAS, route))).toEqual([])
})

test('the table names no route the app does not have (a renamed route cannot keep a stale entry)', () => {
  const routes = routesOf()
  expect(Object.keys(RESPONSE_SCHEMAS).filter((route) => !routes.has(route))).toEqual([])
})

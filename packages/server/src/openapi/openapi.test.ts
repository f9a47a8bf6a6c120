import { Validator } from '@seriousme/openapi-schema-validator'
import { WEBHOOK_EVENT_TYPES } from '@suportra/protocol/server-api'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createApp } from '../app.js'
import type { Context } from '../context.js'
import { createContext } from '../server.js'
import { openApiDocument } from './document.js'
import { OPERATIONS } from './operations.js'

let ctx: Context
beforeAll(async () => {
  ctx = await createContext({ db: ':memory:', devPages: true })
})
afterAll(() => ctx.store.close())

/** Every route of the app (development pages included), as `METHOD path`. */
const routesOf = () =>
  new Set(
    createApp(ctx)
      .routes.filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method} ${route.path}`),
  )

/** `/v1/sessions/:id` as the document spells it. */
const documented = (route: string) => {
  const [method = '', path = ''] = route.split(' ')
  const paths = openApiDocument().paths as Record<string, Record<string, unknown>>
  return Boolean(paths[path.replace(/:(\w+)(\{[^}]*\}+)?/g, '{$1}')]?.[method.toLowerCase()])
}

test('every route of the app is in the document', () => {
  const routes = routesOf()
  expect(routes.size).toBeGreaterThan(40)
  expect([...routes].filter((route) => !documented(route))).toEqual([])
})

test('the table names no route the app does not have', () => {
  const routes = routesOf()
  expect(Object.keys(OPERATIONS).filter((route) => !routes.has(route))).toEqual([])
})

test('the document is valid OpenAPI 3.1', async () => {
  const validator = new Validator()
  const result = await validator.validate(openApiDocument('https://chat.example.com'))
  expect(result.errors).toBeUndefined()
  expect(result.valid).toBe(true)
  expect(validator.version).toBe('3.1')
  // The validator does refuse a broken document (this test could fail).
  const broken = await new Validator().validate({
    openapi: '3.1.0',
    info: { title: 'x' },
    paths: { bad: {} },
  })
  expect(broken.valid).toBe(false)
})

test('GET /openapi.json serves it', async () => {
  const response = await createApp(ctx).request('/openapi.json')
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toContain('application/json')
  const body = (await response.json()) as { openapi: string; paths: object }
  expect(body.openapi).toBe('3.1.0')
  expect(Object.keys(body.paths)).toContain('/v1/availability')
})

test('request and response bodies come from the protocol’s schemas', () => {
  const doc = openApiDocument() as {
    paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>
  }
  const start = doc.paths['/v1/sessions']?.post
  expect(JSON.stringify(start?.requestBody)).toContain('"returnUrl"')
  const availability = JSON.stringify(doc.paths['/v1/availability']?.get?.responses)
  for (const field of ['online', 'busy', 'offline', 'buildersOnline', 'expectedWait', 'nextOpen'])
    expect(availability).toContain(field)
})

test('every webhook event type is described, with its own payload', () => {
  const webhooks = openApiDocument().webhooks as Record<string, { post: { requestBody: unknown } }>
  expect(Object.keys(webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort())
  const body = JSON.stringify(webhooks['credits.granted']?.post.requestBody)
  expect(body).toContain('"const":"credits.granted"')
  expect(body).not.toContain('session.started')
})

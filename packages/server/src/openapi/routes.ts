import { Hono } from 'hono'
import type { Env } from '../http/request.js'
import { openApiDocument } from './document.js'

let cached: { url: string | undefined; body: string } | undefined

/** `GET /openapi.json`: the API as OpenAPI 3.1 (built once per public URL). */
export const openApiRoutes = new Hono<Env>().get('/openapi.json', (c) => {
  const url = c.get('ctx').config.publicUrl
  const doc = cached && cached.url === url ? cached : { url, body: JSON.stringify(openApiDocument(url)) }
  cached = doc
  c.header('content-type', 'application/json; charset=utf-8')
  c.header('access-control-allow-origin', '*')
  return c.body(doc.body)
})

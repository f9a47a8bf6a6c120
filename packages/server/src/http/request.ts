import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type * as z from 'zod/mini'
import { type App, allows } from '../apps/apps.js'
import { isServerOrigin } from '../apps/origins.js'
import type { Caller } from '../caller.js'
import { DomainError, forbidden, invalid, notFound, parse, tooLarge, unauthorized } from '../errors.js'
import type { C, Env } from './env.js'
import { isOwnHost } from './origin.js'

/**
 * The route toolkit: everything a domain folder's `routes.ts` takes from the HTTP layer (the hono
 * environment, body reading, the caller and app guards, the client's address). Domain folders import
 * this module and no other file of `http/`.
 */
export { clientIp, socketIp } from './client-ip.js'

export type { C, Env }

/** Reads and validates a JSON body. Bad JSON, a wrong content type or a bad shape → 4xx `validation`. */
export async function readJson<S extends z.ZodMiniType>(c: C, schema: S): Promise<z.infer<S>> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/json\b/i.test(type)) {
    throw new DomainError('validation', 'Send a JSON body with Content-Type: application/json', {
      kind: 'unsupported_type',
    })
  }
  const raw = await c.req.text()
  let value: unknown
  try {
    // NUL (only ever escaped in JSON) becomes U+FFFD, as the storage layer stores it (PostgreSQL
    // refuses NUL in text): what the API answers and broadcasts then matches what it stored.
    value = raw.includes('\\u0000') ? JSON.parse(raw, withoutNul) : JSON.parse(raw)
  } catch {
    throw invalid('Request body is not valid JSON')
  }
  return parse(schema, value, 'Request body')
}

/**
 * For endpoints that take no body: none, an empty one or an empty JSON object (`{}`, which some
 * HTTP clients send by default) is fine; anything else is refused (400) before anything changes.
 */
export async function expectNoBody(c: C): Promise<void> {
  const raw = (await c.req.text()).trim()
  if (raw === '') return
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    throw invalid('This endpoint takes no body')
  }
  const empty =
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  if (!empty) throw invalid('This endpoint takes no body')
}

const withoutNul = (_key: string, value: unknown) =>
  typeof value === 'string' ? value.replaceAll('\u0000', '\uFFFD') : value

/**
 * Refuses bodies over `maxSize` bytes: by Content-Length when the request has one (read from the
 * headers alone: hono's `bodyLimit` would turn the request into a web `Request` and its body into
 * a web stream first, a tenth of the send path's CPU), else while they stream in.
 */
export const limitBody = (maxSize: number): MiddlewareHandler<Env> => {
  const refuse = () => {
    const size = maxSize >= 1024 * 1024 ? `${maxSize / 1024 / 1024} MB` : `${Math.round(maxSize / 1024)} KB`
    throw tooLarge(`Request body is larger than ${size}`)
  }
  const streaming = bodyLimit({ maxSize, onError: refuse })
  return async (c, next) => {
    const length = c.req.header('content-length')
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxSize) refuse()
      return next()
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    return streaming(c, next)
  }
}

/** The authenticated caller; 401 if the request carries no valid access token. */
export async function requireCaller(c: C): Promise<Caller> {
  const existing = c.get('caller')
  if (existing) return existing
  const header = c.req.header('authorization')
  const token = header?.match(/^Bearer (\S+)$/i)?.[1]
  if (!token) throw unauthorized('Sign in first: send Authorization: Bearer <access token>')
  const ctx = c.get('ctx')
  const caller = await ctx.tokens.verify(token)
  const app = await ctx.apps.get(caller.appId)
  if (app) checkOrigin(c, app)
  c.set('caller', caller)
  return caller
}

export async function requireBuilder(c: C): Promise<Caller> {
  const caller = await requireCaller(c)
  if (caller.role !== 'builder') throw forbidden('Only builders can do this')
  return caller
}

/** A user (customer): builders serve sessions, they do not start them nor buy credits. */
export async function requireCustomer(c: C, what: string): Promise<Caller> {
  const caller = await requireCaller(c)
  if (caller.role !== 'user') throw forbidden(`Builders cannot ${what}; sign in as a user`)
  return caller
}

/** The app named by the `X-Suportra-App` header (needed before sign-in). */
export async function requireApp(c: C): Promise<App> {
  const id = c.req.header('x-suportra-app')
  if (!id) throw invalid('Send the app id in the X-Suportra-App header')
  const app = await c.get('ctx').apps.get(id)
  if (!app) throw notFound(`App ${id}`)
  checkOrigin(c, app)
  return app
}

/** Refuses browser requests from origins the app has not allowed. Requests without Origin (Node) pass. */
function checkOrigin(c: C, app: App): void {
  const origin = c.req.header('origin')
  if (origin && !isServerOrigin(c.get('ctx').config, origin) && !allows(app, origin)) {
    throw forbidden(`Origin ${origin} is not allowed for app ${app.id}`)
  }
}

/** For pages without authentication (the development pages): refuses a request for another host name. */
export function requireOwnHost(c: C): void {
  const host = c.req.header('host')
  if (!isOwnHost(c.get('ctx').config, host)) {
    throw forbidden(`This server does not answer to the host name ${host ?? '(none)'}; see --public-url`)
  }
}

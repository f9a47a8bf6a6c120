import type { Context as HonoContext } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type * as z from 'zod/mini'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { ApiError, invalid, unauthorized } from './errors.js'
import { checkOrigin } from './origin.js'

export interface Env {
  Variables: { ctx: Context; caller: Caller | undefined }
}
export type C = HonoContext<Env>

/** Turns zod issues into one readable sentence plus a per-field list. */
export function validationError(error: z.core.$ZodError, what = 'Request'): ApiError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
  const summary = issues
    .slice(0, 3)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ')
  return invalid(`${what} is invalid: ${summary}`, { issues })
}

export function parse<S extends z.ZodMiniType>(schema: S, value: unknown, what?: string): z.infer<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw validationError(result.error, what)
  return result.data as z.infer<S>
}

/** Reads and validates a JSON body. Bad JSON, a wrong content type or a bad shape → 4xx `validation`. */
export async function readJson<S extends z.ZodMiniType>(c: C, schema: S): Promise<z.infer<S>> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError('validation', 'Send a JSON body with Content-Type: application/json', { status: 415 })
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

/** Refuses bodies over `maxSize` bytes while they stream in (and by Content-Length before). */
export const limitBody = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge(maxSize)
    },
  })

export function tooLarge(limit: number): ApiError {
  const size = limit >= 1024 * 1024 ? `${limit / 1024 / 1024} MB` : `${Math.round(limit / 1024)} KB`
  return new ApiError('validation', `Request body is larger than ${size}`, { status: 413 })
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
  if (caller.role !== 'builder') throw new ApiError('forbidden', 'Only builders can do this')
  return caller
}

/** A user (customer): builders serve sessions, they do not start them nor buy credits. */
export async function requireCustomer(c: C, what: string): Promise<Caller> {
  const caller = await requireCaller(c)
  if (caller.role !== 'user') throw new ApiError('forbidden', `Builders cannot ${what}; sign in as a user`)
  return caller
}

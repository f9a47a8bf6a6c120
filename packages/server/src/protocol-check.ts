import type * as z from 'zod/mini'
import type { Config } from './config.js'
import { firstIssues, issuesOf } from './errors.js'

/**
 * Whether the server checks what it sends (HTTP responses, realtime frames) against the protocol's
 * schemas: `config.checkResponses` when set, else on in development and tests (NODE_ENV
 * `development` or `test`, or under Vitest) and off in production, where it would parse every body
 * a second time for nothing (the server README has the numbers).
 */
export function checksResponses(
  config: Pick<Config, 'checkResponses'>,
  env: Record<string, string | undefined> = process.env,
): boolean {
  return config.checkResponses ?? (env.NODE_ENV === 'development' || env.NODE_ENV === 'test' || !!env.VITEST)
}

/** Why a value does not match its schema: a one-line summary, and the issues for the log. */
export interface Mismatch {
  summary: string
  issues: { path: string; message: string }[]
}

/**
 * Checks `value` against `schema`; undefined when it matches. Stricter than a client's parse: a field
 * the schema does not declare is a mismatch too (clients ignore unknown fields so that older ones
 * keep working; the server must not send one the protocol does not name, so that every field is
 * added to the contract before it ships and no stray column can leave unnoticed). Loose objects
 * (`JsonObject`: vendor context, export records) keep their keys and are not looked into. `declared`
 * lists top-level keys the schema leaves out on purpose (a realtime event's `type`).
 */
export function mismatchOf(
  schema: z.ZodMiniType,
  value: unknown,
  declared: readonly string[] = [],
): Mismatch | undefined {
  const result = schema.safeParse(value)
  const issues = result.success
    ? undeclared(value, result.data)
        .filter((path) => !declared.includes(path))
        .map((path) => ({ path, message: 'not in the protocol (declare it in the schema)' }))
    : issuesOf(result.error)
  return issues.length === 0 ? undefined : { summary: summarize(issues), issues }
}

/** Paths of the keys in `value` that the schema's output `parsed` dropped (zod strips undeclared keys). */
function undeclared(value: unknown, parsed: unknown, path = '', found: string[] = []): string[] {
  if (typeof value !== 'object' || value === null || typeof parsed !== 'object' || parsed === null)
    return found
  for (const [key, item] of Object.entries(value)) {
    if (!Object.hasOwn(parsed, key)) found.push(path + key)
    else undeclared(item, (parsed as Record<string, unknown>)[key], `${path}${key}.`, found)
  }
  return found
}

/** A mismatch that is not about a field (not JSON, no schema for the route). */
export const plainMismatch = (message: string): Mismatch => ({
  summary: message,
  issues: [{ path: '', message }],
})

function summarize(issues: Mismatch['issues']): string {
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''
  return firstIssues(issues) + more
}

/**
 * The shape of a value without its contents (`{ user: { id: 'string', … }, tools: ['string', 3] }`):
 * what a mismatch log shows instead of the body, which may hold tokens and messages (the log rule,
 * `log.ts`). Arrays show their first item and length; depth and keys are bounded.
 */
export function shapeOf(value: unknown, depth = 0): unknown {
  if (value === null) return 'null'
  if (Array.isArray(value)) {
    if (value.length === 0) return []
    return depth >= 6 ? `array(${value.length})` : [shapeOf(value[0], depth + 1), value.length]
  }
  if (typeof value !== 'object') return typeof value
  if (depth >= 6) return 'object'
  const entries = Object.entries(value as Record<string, unknown>)
  const shape: Record<string, unknown> = {}
  for (const [key, item] of entries.slice(0, 40)) shape[key] = shapeOf(item, depth + 1)
  if (entries.length > 40) shape['…'] = `${entries.length - 40} more keys`
  return shape
}

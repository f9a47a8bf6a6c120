import type { ErrorCode } from '@suportra/protocol'
import type * as z from 'zod/mini'

/**
 * What kind of failure a code stands for when it is not the usual one: a body or value too large,
 * a body that is not JSON, a feature this server has not set up, a stored file that is gone. The
 * HTTP layer (`http/error-response.ts`) turns it into a status; domain code never names one.
 */
export type ErrorKind = 'too_large' | 'unsupported_type' | 'unavailable' | 'gone'

/**
 * The one error domain code throws: a protocol `code`, a readable message and optional `details`
 * (sent to the caller as they are). `http/error-response.ts` maps it to a response, the realtime
 * hub to a close code. Anything else that is thrown is a bug and leaves as a logged 500.
 */
export class DomainError extends Error {
  readonly code: ErrorCode
  readonly kind: ErrorKind | undefined
  readonly details: Record<string, unknown> | undefined

  constructor(
    code: ErrorCode,
    message: string,
    options: { kind?: ErrorKind; details?: Record<string, unknown> } = {},
  ) {
    super(message)
    this.name = 'DomainError'
    this.code = code
    this.kind = options.kind
    this.details = options.details
  }
}

export const unauthorized = (message = 'Sign in first') => new DomainError('unauthorized', message)
export const forbidden = (message: string) => new DomainError('forbidden', message)
export const notFound = (what: string) => new DomainError('not_found', `${what} not found`)
export const conflict = (message: string) => new DomainError('conflict', message)
export const invalid = (message: string, details?: Record<string, unknown>) =>
  new DomainError('validation', message, details ? { details } : {})
export const tooLarge = (message: string) => new DomainError('validation', message, { kind: 'too_large' })

/** A zod error's issues as a per-field list: `{ path: 'user.name', message }`. */
export const issuesOf = (error: z.core.$ZodError): { path: string; message: string }[] =>
  error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }))

/** The first three issues in one readable line (`name: Too big; email: Invalid email`). */
export const firstIssues = (issues: { path: string; message: string }[]): string =>
  issues
    .slice(0, 3)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ')

/** Turns zod issues into one readable sentence plus a per-field list. */
export function validationError(error: z.core.$ZodError, what = 'Request'): DomainError {
  const issues = issuesOf(error)
  return invalid(`${what} is invalid: ${firstIssues(issues)}`, { issues })
}

/** Parses `value` with `schema` at a boundary, or throws `validation` naming `what` was wrong. */
export function parse<S extends z.ZodMiniType>(schema: S, value: unknown, what?: string): z.infer<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw validationError(result.error, what)
  return result.data as z.infer<S>
}

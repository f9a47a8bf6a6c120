import type { ErrorCode } from '@suportra/protocol'

const BRAND = Symbol.for('suportra.error')

/** The one error every Suportra call rejects with. Switch on `code`; show `message` to people. */
export class SuportraError extends Error {
  readonly code: ErrorCode
  /** HTTP status, when the error came from a response. */
  readonly status: number | undefined
  /** Extra data from the server, e.g. `{ balance, cost }` for `insufficient_credits`. */
  readonly details: Record<string, unknown> | undefined
  readonly [BRAND] = true

  constructor(
    code: ErrorCode,
    message: string = MESSAGES[code],
    options: { cause?: unknown; status?: number; details?: Record<string, unknown> | undefined } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'SuportraError'
    this.code = code
    this.status = options.status
    this.details = options.details
  }

  /** True for a SuportraError from any copy of this package. */
  static isInstance(value: unknown): value is SuportraError {
    return BRAND in Object(value)
  }
}

/** What an error says when nothing more specific is known. */
const MESSAGES: Record<ErrorCode, string> = {
  unauthorized: 'Sign in again.',
  forbidden: 'Not allowed.',
  not_found: 'Not found.',
  validation: 'Invalid input.',
  insufficient_credits: 'Not enough credits.',
  rate_limited: 'Too many requests.',
  conflict: 'No longer possible.',
  network: 'Network error.',
  server: 'Server error.',
  protocol: 'Unexpected response.',
}

/** Worth trying again later: the request may not have been processed. */
export function isRetryable(error: unknown): boolean {
  return SuportraError.isInstance(error) && /^(network|server|rate_limited)$/.test(error.code)
}

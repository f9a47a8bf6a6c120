import { ERROR_STATUS, type ErrorCode } from '@suportra/client/protocol'

/** An error that becomes a `{ error: { code, message } }` response. Anything else is a 500. */
export class ApiError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly details: Record<string, unknown> | undefined

  constructor(
    code: ErrorCode,
    message: string,
    options: { status?: number; details?: Record<string, unknown> } = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = options.status ?? ERROR_STATUS[code]
    this.details = options.details
  }

  toJSON() {
    return {
      error: { code: this.code, message: this.message, ...(this.details && { details: this.details }) },
    }
  }
}

export const unauthorized = (message = 'Sign in first') => new ApiError('unauthorized', message)
export const forbidden = (message: string) => new ApiError('forbidden', message)
export const notFound = (what: string) => new ApiError('not_found', `${what} not found`)
export const conflict = (message: string) => new ApiError('conflict', message)
export const invalid = (message: string, details?: Record<string, unknown>) =>
  new ApiError('validation', message, details ? { details } : {})

import { ERROR_STATUS, type ErrorBody } from '@suportra/protocol'
import type { Context as HonoContext } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { DomainError, type ErrorKind } from '../errors.js'
import type { Logger } from '../log.js'

const KIND_STATUS: Record<ErrorKind, ContentfulStatusCode> = {
  too_large: 413,
  unsupported_type: 415,
  unavailable: 503,
  gone: 410,
}

/** The HTTP status of a domain error: its kind's if it has one, else its code's (`ERROR_STATUS`). */
export function statusOf(error: DomainError): ContentfulStatusCode {
  return error.kind ? KIND_STATUS[error.kind] : (ERROR_STATUS[error.code] as ContentfulStatusCode)
}

/** `{ error: { code, message, details? } }`, the body of every failed request. */
export function errorBody(error: DomainError): ErrorBody {
  return {
    error: { code: error.code, message: error.message, ...(error.details && { details: error.details }) },
  }
}

/**
 * The one place a thrown error becomes a response: a domain error with its status (and
 * `Retry-After` when it says when to retry), a client error hono raised as a `validation`, anything
 * else as a logged 500 that tells nothing of the cause.
 */
export function errorResponse(c: HonoContext, error: Error, log: Logger): Response {
  if (error instanceof DomainError) {
    const retryAfter = error.details?.retryAfter
    if (retryAfter !== undefined) c.header('Retry-After', String(retryAfter))
    const status = statusOf(error)
    // The rest of an oversized body is never read: do not reuse this connection.
    if (status === 413) c.header('Connection', 'close')
    return c.json(errorBody(error), status)
  }
  if (error instanceof HTTPException && error.status < 500) {
    return c.json(
      errorBody(new DomainError('validation', error.message || 'Bad request')),
      error.status as ContentfulStatusCode,
    )
  }
  log.error({ err: error, method: c.req.method, path: c.req.routePath }, 'unhandled error')
  return c.json(errorBody(new DomainError('server', 'Something went wrong on our side')), 500)
}

/** The answer for a path no route serves. */
export function notFoundResponse(c: HonoContext): Response {
  return c.json(errorBody(new DomainError('not_found', `No route for ${c.req.method} ${c.req.path}`)), 404)
}

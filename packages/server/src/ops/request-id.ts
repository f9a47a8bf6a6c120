import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'

/** The request being served, for every log line written while serving it (see `log.ts`'s mixin). */
const current = new AsyncLocalStorage<{ reqId: string }>()

/** The id of the request this code runs for, if any: log lines carry it as `reqId`. */
export function currentRequestId(): string | undefined {
  return current.getStore()?.reqId
}

/**
 * An id a proxy or client sent (`X-Request-Id`) is kept when it is 1–128 characters of letters,
 * digits and `._:-` (UUIDs, trace ids, load balancers' ids); anything else is replaced, so a log
 * line never carries a newline, a quote or a kilobyte of someone else's text.
 */
const VALID_ID = /^[\w.:-]{1,128}$/

export function requestIdOf(header: string | undefined): string {
  return header && VALID_ID.test(header) ? header : randomUUID()
}

/** Runs `fn` as part of the request `reqId`: every log line it writes carries the id. */
export function withRequestId<T>(reqId: string, fn: () => Promise<T>): Promise<T> {
  return current.run({ reqId }, fn)
}

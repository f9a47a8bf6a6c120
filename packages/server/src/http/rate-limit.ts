import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import type { RateLimits } from '../config.js'
import { ApiError } from './errors.js'

export type RateLimiters = Record<keyof RateLimits, RateLimiterMemory>

export function createRateLimiters(limits: RateLimits): RateLimiters {
  const entries = Object.entries(limits).map(([name, { points, duration }]) => [
    name,
    new RateLimiterMemory({ points, duration, keyPrefix: name }),
  ])
  return Object.fromEntries(entries) as RateLimiters
}

/** Spends one point of `limiter` for `key`, or throws `rate_limited` with the seconds to wait. */
export async function consume(limiter: RateLimiterMemory, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key)
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error
    throw rateLimited(error, what)
  }
}

/** Throws `rate_limited` if `key` has no points left, without spending one. */
export async function ensureNotExhausted(
  limiter: RateLimiterMemory,
  key: string,
  what: string,
): Promise<void> {
  const res = await limiter.get(key)
  if (res && res.remainingPoints <= 0) throw rateLimited(res, what)
}

function rateLimited(res: RateLimiterRes, what: string): ApiError {
  const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000))
  return new ApiError('rate_limited', `Too many ${what}; try again in ${retryAfter} s`, {
    details: { retryAfter },
  })
}

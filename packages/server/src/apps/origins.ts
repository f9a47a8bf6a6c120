import type { Config } from '../config.js'

/**
 * Matches an `Origin` header against an app's allowed origin patterns. A pattern is an exact
 * origin, or one with `*` as the port (`http://localhost:*`) or as the leftmost host labels
 * (`https://*.example.com`).
 */
export function originMatches(origin: string, pattern: string): boolean {
  if (pattern === '*') return true
  return patternToRegExp(pattern).test(origin)
}

const cache = new Map<string, RegExp>()

function patternToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern)
  if (!re) {
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    const source = escaped.replace(/:\*$/, '(:\\d+)?').replace('//*\\.', '//([a-z0-9-]+\\.)+')
    re = new RegExp(`^${source}$`, 'i')
    cache.set(pattern, re)
  }
  return re
}

/**
 * Whether `origin` is the server's public origin (`publicUrl`, set by the time the server listens):
 * browser requests from it (the builder console, the demo pages) are always allowed, and links may
 * point to it (reset links, checkout return URLs). Never decided from the `Host` header or the
 * request's URL (built from Host): a DNS-rebinding page sends its own name as Host and Origin, and
 * any client can send any Host.
 */
export function isServerOrigin(config: Pick<Config, 'publicUrl'>, origin: string): boolean {
  return config.publicUrl !== undefined && origin === config.publicUrl
}

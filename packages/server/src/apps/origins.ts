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

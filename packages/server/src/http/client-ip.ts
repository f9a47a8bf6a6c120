import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Config } from '../config.js'
import type { C } from './env.js'

/**
 * The client's address, as every per-IP defence (rate limits, hashing caps, socket caps) sees it:
 * the TCP peer, or, behind `trustProxy` proxies of your own, the address the outermost of them saw.
 *
 * Each proxy appends the address it received the request from to `X-Forwarded-For`, so the header
 * reads `<whatever the client wrote>, …, <seen by proxy 1>` from left to right, the nearest proxy's
 * entry last. Entries are read from the right, one per trusted proxy ("number of hops", as Express's
 * `trust proxy`): with one proxy, the right-most. The left-most entry is the client's own writing and
 * is never taken, so a client cannot pick the address it is counted under. An entry that is not an IP
 * address (a misconfigured count reaching the client's writing) counts as the TCP peer.
 */
export function clientAddress(
  trustProxy: Config['trustProxy'],
  peer: string | undefined,
  forwarded: string | string[] | undefined,
): string {
  const hops = trustProxy === true ? 1 : trustProxy === false ? 0 : trustProxy
  const fallback = peer ?? 'unknown'
  if (hops <= 0 || forwarded === undefined) return fallback
  const entries = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  // Fewer entries than proxies: the request skipped the outer ones; take the furthest there is.
  const entry = withoutPort(entries[Math.max(0, entries.length - hops)] ?? '')
  return isIP(entry) !== 0 ? entry : fallback
}

/** `203.0.113.7:5173` → `203.0.113.7`, `[2001:db8::1]:443` → `2001:db8::1` (some proxies add the port). */
function withoutPort(entry: string): string {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry) ?? /^\[([^\]]+)\](?::\d+)?$/.exec(entry)
  return match?.[1] ?? entry
}

/** The client's address for an HTTP request (see `clientAddress`). */
export function clientIp(c: C): string {
  let peer: string | undefined
  try {
    peer = getConnInfo(c).remote.address
  } catch {
    peer = undefined
  }
  return clientAddress(c.get('ctx').config.trustProxy, peer, c.req.header('x-forwarded-for'))
}

/** The client's address for a WebSocket handshake (see `clientAddress`). */
export function socketIp(request: IncomingMessage, trustProxy: Config['trustProxy']): string {
  return clientAddress(trustProxy, request.socket.remoteAddress, request.headers['x-forwarded-for'])
}

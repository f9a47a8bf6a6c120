import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { invalid } from '../errors.js'

/**
 * The server-side request forgery guard for webhook deliveries. Whoever holds a server key chooses
 * the URL this server posts to; without this, `http://169.254.169.254/` (a cloud's metadata service)
 * or `http://10.0.0.5:5432/` would be a way into the operator's network. Only public unicast
 * addresses pass: loopback, private (RFC 1918), CGNAT, link-local, documentation, benchmarking,
 * multicast and reserved ranges are refused, in IPv4 and IPv6 (unique-local, link-local, and the
 * IPv4-mapped, NAT64 and 6to4 forms that carry an IPv4 address inside).
 */
const BLOCKED = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  // IPv4-compatible (deprecated). IPv4-mapped ones (::ffff:a.b.c.d) need no rule: BlockList checks
  // them against the IPv4 rules above (and a rule for ::ffff:0:0/96 would match every IPv4 address).
  ['::', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv6')

/** Whether `address` (an IP literal) is a public unicast address a webhook may be sent to. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 0) return false
  return !BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

/** `[::1]` → `::1`: URL host names keep IPv6 literals in brackets. */
export const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1')

/**
 * Checks an endpoint URL's form when it is registered: https (or, with `allowPrivate`, http), no user
 * name or password, and a host that is not an IP literal of a private network (host names: see
 * `checkEndpointHost`).
 */
export function checkEndpointUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw invalid('url is not a valid URL')
  }
  const schemes = allowPrivate ? ['https:', 'http:'] : ['https:']
  if (!schemes.includes(url.protocol)) throw invalid('url must start with https://')
  if (url.username || url.password) throw invalid('url must not contain a user name or password')
  if (url.hash) throw invalid('url must not contain a fragment (#…)')
  const host = hostOf(url)
  if (!allowPrivate && isIP(host) !== 0 && !isPublicAddress(host)) {
    throw invalid(`url points to ${host}, a private, loopback or reserved address`)
  }
  return url
}

/**
 * Refuses a host name that resolves, now, to any address that is not public (`localhost`, a name
 * pointed at 10.0.0.5) or does not resolve: the vendor hears of it when registering. Deliveries
 * check again, on the addresses of that moment (`guardedLookup`): DNS can change in between.
 */
export async function checkEndpointHost(url: URL, resolve: Lookup = dnsLookup as Lookup): Promise<void> {
  const host = hostOf(url)
  if (isIP(host) !== 0) return
  const addresses = await new Promise<LookupAddress[]>((done, fail) =>
    resolve(host, { all: true }, (error, found) => (error ? fail(error) : done(found))),
  ).catch(() => {
    throw invalid(`url's host ${host} does not resolve`)
  })
  const refused = addresses.find((a) => !isPublicAddress(a.address))
  if (refused)
    throw invalid(
      `url's host ${host} resolves to ${refused.address}, a private, loopback or reserved address`,
    )
}

export type Lookup = (hostname: string, options: { all: true }, callback: LookupAllCallback) => void
type LookupAllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void

/**
 * A `lookup` for `http.request` that resolves the host, refuses it unless every address is public,
 * and connects to the first: the address checked is the address connected to (a DNS answer that
 * changes between the check and the connection cannot slip a private one in), while the request
 * keeps the host name for `Host` and TLS (SNI and the certificate check). `resolve` is injectable
 * for tests.
 */
export function guardedLookup(allowPrivate: boolean, resolve: Lookup = dnsLookup as Lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0)
      const refused = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address))
      const chosen = addresses[0]
      if (refused || !chosen) {
        const reason = refused
          ? `${hostname} resolves to ${refused.address}, a private, loopback or reserved address`
          : `${hostname} has no address`
        return callback(Object.assign(new Error(reason), { code: 'EADDRNOTPUBLIC' }), '', 0)
      }
      // Node asks for every address when it tries them in turn (autoSelectFamily); give just the one.
      if ((options as { all?: boolean }).all)
        return (callback as unknown as LookupAllCallback)(null, [chosen])
      callback(null, chosen.address, chosen.family)
    })
  }
}

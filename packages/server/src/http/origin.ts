import { isIP } from 'node:net'
import type { Config } from '../config.js'

/**
 * Whether a `Host` header names this server: the public URL's host name, `localhost` (and
 * `*.localhost`), or an IP address. A DNS-rebinding page can send none of these: its requests carry
 * the attacker's own name (`rebind.evil`), which now resolves to this server.
 */
export function isOwnHost(config: Config, host: string | undefined): boolean {
  if (!host) return false
  let name: string
  try {
    name = new URL(`http://${host}`).hostname.toLowerCase()
  } catch {
    return false
  }
  if (name === 'localhost' || name.endsWith('.localhost')) return true
  if (isIP(name.replace(/^\[|\]$/g, '')) !== 0) return true
  return config.publicUrl !== undefined && new URL(config.publicUrl).hostname.toLowerCase() === name
}

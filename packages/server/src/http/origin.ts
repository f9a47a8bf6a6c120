import { isIP } from 'node:net'
import { type App, allows } from '../apps/apps.js'
import type { Config } from '../config.js'
import { ApiError, forbidden, invalid, notFound } from './errors.js'
import type { C } from './request.js'

/**
 * Whether `origin` is the server's public origin (`publicUrl`, set by the time the server listens):
 * browser requests from it (the builder console, the demo pages) are always allowed, and links may
 * point to it (reset links, checkout return URLs). Never decided from the `Host` header or the
 * request's URL (built from Host): a DNS-rebinding page sends its own name as Host and Origin, and
 * any client can send any Host.
 */
export function isServerOrigin(config: Config, origin: string): boolean {
  return config.publicUrl !== undefined && origin === config.publicUrl
}

/** Refuses browser requests from origins the app has not allowed. Requests without Origin (Node) pass. */
export function checkOrigin(c: C, app: App): void {
  const origin = c.req.header('origin')
  if (origin && !isServerOrigin(c.get('ctx').config, origin) && !allows(app, origin)) {
    throw new ApiError('forbidden', `Origin ${origin} is not allowed for app ${app.id}`)
  }
}

/** The app named by the `X-Suportra-App` header (needed before sign-in). */
export async function requireApp(c: C): Promise<App> {
  const id = c.req.header('x-suportra-app')
  if (!id) throw invalid('Send the app id in the X-Suportra-App header')
  const app = await c.get('ctx').apps.get(id)
  if (!app) throw notFound(`App ${id}`)
  checkOrigin(c, app)
  return app
}

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

/** For pages without authentication (the development pages): refuses a request for another host name. */
export function requireOwnHost(c: C): void {
  const host = c.req.header('host')
  if (!isOwnHost(c.get('ctx').config, host)) {
    throw forbidden(`This server does not answer to the host name ${host ?? '(none)'}; see --public-url`)
  }
}

import { type App, allows } from '../apps/apps.js'
import { ApiError, invalid, notFound } from './errors.js'
import type { C } from './request.js'

/** A browser request from the server's own pages (the builder console, the demo) is always allowed. */
export function isSameOrigin(c: C, origin: string): boolean {
  const host = c.req.header('host')
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)
}

/** Refuses browser requests from origins the app has not allowed. Requests without Origin (Node) pass. */
export function checkOrigin(c: C, app: App): void {
  const origin = c.req.header('origin')
  if (origin && !isSameOrigin(c, origin) && !allows(app, origin)) {
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

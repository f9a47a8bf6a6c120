import { Hono } from 'hono'
import { type DomainError, forbidden } from '../errors.js'
import { type Env, requireApp } from '../http/request.js'

/** The answer to a password sign-in, sign-up or reset on an app that takes identity tokens only. */
export const identityOnly = (): DomainError =>
  forbidden('This app signs users in with a vendor identity token only: it has no password accounts')

/**
 * `GET /v1/auth/methods`: how people sign in to the app named by `X-Suportra-App`, so a sign-in
 * screen offers only what works. `password`: password accounts (sign-in, sign-up, password reset);
 * false for an app that takes vendor identity tokens only (every app takes those).
 */
export const methodsRoutes = new Hono<Env>().get('/', async (c) => {
  const app = await requireApp(c)
  return c.json({ password: !app.identityRequired })
})

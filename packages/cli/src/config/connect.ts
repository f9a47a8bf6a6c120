import { createClient, type SuportraClient } from '@suportra/client'
import WebSocket from 'ws'
import { CliError } from '../errors.js'
import { storedSignIn } from './storage.js'

/** The flags every command takes (`--url`, `--app`), with the environment as their defaults. */
export interface Target {
  url: string
  app: string
}

export const DEFAULT_URL = 'http://127.0.0.1:8787'
export const DEFAULT_APP = 'app_demo'

/** A client for `target`, its sign-in kept in the config directory; `ws` gives Node 20 its WebSocket. */
export function connect(target: Target): SuportraClient {
  try {
    new URL(target.url)
  } catch {
    throw new CliError(`--url ${target.url} is not a URL (e.g. ${DEFAULT_URL})`, 2)
  }
  return createClient({
    baseUrl: target.url,
    appId: target.app,
    storage: storedSignIn(),
    WebSocket: WebSocket as never,
  })
}

/** The signed-in user, or a failure that says how to sign in. */
export function requireUser(client: SuportraClient) {
  const user = client.$user.get()
  if (!user) throw new CliError('not signed in: run `suportra login` first')
  return user
}

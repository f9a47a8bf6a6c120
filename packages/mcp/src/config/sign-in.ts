import { join } from 'node:path'
import { fileStorage } from '@suportra/cli/storage'
import { createClient, memoryStorage, type SuportraClient, type WebSocketFactory } from '@suportra/client'
import WebSocket from 'ws'
import type { McpConfig } from './config.js'

/** The tool error an agent gets when there is no way to sign in. */
export const NOT_SIGNED_IN =
  'Not signed in to Suportra. Run `suportra login` once, or set SUPORTRA_EMAIL and SUPORTRA_PASSWORD (or SUPORTRA_IDENTITY_TOKEN) in the MCP server configuration.'

/**
 * A signed-in client: with `SUPORTRA_IDENTITY_TOKEN` (a vendor-signed token) or `SUPORTRA_EMAIL` +
 * `SUPORTRA_PASSWORD`, signed in afresh and kept in memory (the CLI's sign-in is left alone);
 * otherwise the CLI's stored sign-in. Node 20 has no global WebSocket: the `ws` package's is passed.
 */
export async function signedInClient(config: McpConfig): Promise<SuportraClient> {
  const fromEnv = Boolean(config.identityToken || (config.email && config.password))
  const client = createClient({
    baseUrl: config.baseUrl,
    appId: config.appId,
    storage: fromEnv ? memoryStorage() : fileStorage(join(config.configDir, 'storage.json')),
    WebSocket: WebSocket as unknown as WebSocketFactory,
  })
  try {
    if (config.identityToken) await client.auth.identify({ token: config.identityToken })
    else if (config.email && config.password)
      await client.auth.signIn({ email: config.email, password: config.password })
    else if (!client.$user.get()) throw new Error(NOT_SIGNED_IN)
  } catch (error) {
    client.destroy()
    throw error
  }
  return client
}

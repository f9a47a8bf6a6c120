import type { Context } from '../context.js'
import { createApiKey, listApiKeys, revokeApiKey } from '../server-api/keys.js'

/**
 * `suportra-server apps keys create|list|revoke`: the server API keys of an app. A key is printed
 * once, when created; rotate by creating a new key, deploying it, then revoking the old one.
 * Returns the lines to print.
 */
export async function keysCommand(
  ctx: Context,
  action: string | undefined,
  flags: { app?: string | undefined; name?: string | undefined; key?: string | undefined },
): Promise<string[]> {
  if (action === 'create' || action === 'list') {
    if (!flags.app) throw new Error(`--app is required (apps keys ${action} --app APP_ID)`)
    if (!(await ctx.apps.get(flags.app))) throw new Error(`No app ${flags.app} (see apps list)`)
  }
  if (action === 'create') {
    const { key, info } = await createApiKey(ctx.store, {
      appId: flags.app as string,
      name: flags.name ?? 'default',
    })
    return [
      `Server key created for ${info.appId}.`,
      `  key id: ${info.id}`,
      `  key:    ${key}`,
      'Shown once: store it in your backend (never in a browser). Only its hash is kept here.',
    ]
  }
  if (action === 'list') {
    const keys = await listApiKeys(ctx.store, flags.app as string)
    if (keys.length === 0) return [`No server keys for ${flags.app}`]
    const date = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString())
    return keys.map(
      (k) =>
        `${k.id}\t${k.prefix}…\t${k.name}\tcreated ${date(k.createdAt)}\tlast used ${date(k.lastUsedAt)}${k.revokedAt ? `\trevoked ${date(k.revokedAt)}` : ''}`,
    )
  }
  if (action === 'revoke') {
    if (!flags.key) throw new Error('--key is required (apps keys revoke --key KEY_ID; see apps keys list)')
    if (!(await revokeApiKey(ctx.store, flags.key))) throw new Error(`No active key ${flags.key}`)
    return [`Key ${flags.key} revoked: requests with it now get 401.`]
  }
  throw new Error('Use apps keys create|list|revoke (see --help)')
}

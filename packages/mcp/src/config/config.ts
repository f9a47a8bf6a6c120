import { configDir } from '@suportra/cli/storage'

/** What `suportra-mcp` reads from its environment. */
export interface McpConfig {
  /** The Suportra API (`SUPORTRA_URL`). */
  baseUrl: string
  /** The app the sessions belong to (`SUPORTRA_APP`). */
  appId: string
  /** Where the CLI keeps its sign-in (`SUPORTRA_CONFIG_DIR`). */
  configDir: string
  /** Credits this process may spend, at most (`SUPORTRA_MAX_CREDITS`, default 1). */
  maxCredits: number
  /** The tool sessions are about when `ask_human` names none (`SUPORTRA_TOOL`, default `other`). */
  tool: string
  email: string | undefined
  password: string | undefined
  identityToken: string | undefined
}

/**
 * The configuration from `env`; throws a readable error for a bad value. The CLI's sign-in lives in
 * `<config dir>/storage.json`, the directory being `SUPORTRA_CONFIG_DIR`, else
 * `$XDG_CONFIG_HOME/suportra`, else `~/.config/suportra` (the same rule as `suportra login`).
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): McpConfig {
  const max = env.SUPORTRA_MAX_CREDITS?.trim()
  const maxCredits = max ? Number(max) : 1
  if (!Number.isInteger(maxCredits) || maxCredits < 0) {
    throw new Error(`SUPORTRA_MAX_CREDITS must be a whole number of credits, 0 or more (got "${max}")`)
  }
  return {
    baseUrl: env.SUPORTRA_URL || 'http://127.0.0.1:8787',
    appId: env.SUPORTRA_APP || 'app_demo',
    configDir: configDir(env),
    maxCredits,
    tool: env.SUPORTRA_TOOL || 'other',
    email: env.SUPORTRA_EMAIL || undefined,
    password: env.SUPORTRA_PASSWORD || undefined,
    identityToken: env.SUPORTRA_IDENTITY_TOKEN || undefined,
  }
}

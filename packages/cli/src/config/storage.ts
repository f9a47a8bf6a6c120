import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import type { StorageLike } from '@suportra/client'

/**
 * `@suportra/cli/storage`: where `suportra login` keeps its sign-in, for other Node tools that should
 * share it (the MCP server, `@suportra/mcp`, uses it when its environment names no sign-in).
 */

/** Where the sign-in is kept: SUPORTRA_CONFIG_DIR, else $XDG_CONFIG_HOME/suportra, else ~/.config/suportra. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SUPORTRA_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'suportra')
}

/** The CLI's stored sign-in (`<config dir>/storage.json`), as the client's `storage` option. */
export const storedSignIn = (env: NodeJS.ProcessEnv = process.env): StorageLike =>
  fileStorage(join(configDir(env), 'storage.json'))

/** A StorageLike backed by one JSON file (readable by its owner only), for the command line. */
export function fileStorage(file: string): StorageLike {
  const read = (): Record<string, string> => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
    } catch {
      return {}
    }
  }
  const write = (data: Record<string, string>) => {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    writeFileSync(file, JSON.stringify(data, null, 2), { mode: 0o600 })
    chmodSync(file, 0o600)
  }
  return {
    getItem: (key) => read()[key] ?? null,
    setItem: (key, value) => write({ ...read(), [key]: value }),
    removeItem: (key) => {
      const { [key]: _removed, ...rest } = read()
      write(rest)
    },
  }
}

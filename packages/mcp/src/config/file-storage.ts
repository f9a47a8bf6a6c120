import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { StorageLike } from '@suportra/client'

/**
 * A StorageLike backed by one JSON file (readable by its owner only): the CLI's format
 * (`packages/client/src/cli/file-storage.ts`, not exported by the client), so the sign-in made by
 * `suportra login` is the one used here.
 */
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

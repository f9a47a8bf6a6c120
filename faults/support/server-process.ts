import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { ServerOptions } from '@suportra/server'
import { CLI_PATH, type ServerProcess, startProcess } from '@suportra/server/testing'

export type { ServerProcess }

const MAIN = fileURLToPath(new URL('server-main.mjs', import.meta.url))

/**
 * Starts the built server (`pnpm build` first) as a child process on `db` with `options`, on `port`
 * (0 picks a free one; pass the previous port to come back on the same address).
 */
export async function startServerProcess(
  db: string,
  options: ServerOptions & { port?: number } = {},
): Promise<ServerProcess> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run pnpm build first`)
  return startProcess([MAIN], {
    SUPORTRA_LOG_LEVEL: process.env.SUPORTRA_LOG_LEVEL ?? 'error',
    SUPORTRA_FAULTS_SERVER: JSON.stringify({
      scryptCost: 2 ** 12,
      // Every client of the scenario speaks from 127.0.0.1.
      passwordHashing: { concurrent: 64, concurrentPerIp: 64 },
      port: 0,
      ...options,
      db,
    }),
  })
}

/** Adds a builder with the operator's command (`suportra-server builders add`). */
export async function addBuilderWithCli(
  db: string,
  builder: { name: string; email: string; password: string },
) {
  await promisify(execFile)(
    process.execPath,
    [
      CLI_PATH,
      'builders',
      'add',
      '--db',
      db,
      '--name',
      builder.name,
      '--email',
      builder.email,
      '--password',
      builder.password,
    ],
    { env: { ...process.env, SUPORTRA_SCRYPT_N: '4096', SUPORTRA_LOG_LEVEL: 'error' } },
  )
}

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { databaseFor } from './postgres.js'

export interface ServerProcess {
  url: string
  port: number
  child: ChildProcess
  /** SIGKILL: no shutdown code runs, as in a crash. Resolves when the process is gone. */
  kill(): Promise<void>
  /** SIGTERM: a clean shutdown. */
  stop(): Promise<void>
}

/** The built CLI (`pnpm build` first; `pnpm test` does). */
export const CLI_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js')

/**
 * Starts `suportra-server` as a separate process on `dbFile`, so tests can kill it for real.
 * `port` 0 picks a free one; pass the previous port to come back on the same address.
 * With `SUPORTRA_TEST_DB=postgres`, the file path names a PostgreSQL test database instead (the
 * same one each time the path is given; attachments go to `<dbFile>.files`); a `postgres://` URL
 * is used as it is.
 */
export async function spawnServer(
  dbFile: string,
  options: { port?: number; args?: string[]; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run pnpm build first`)
  const db = await databaseFor(dbFile)
  const dataDir =
    db !== dbFile && !options.args?.includes('--data-dir') ? ['--data-dir', `${dbFile}.files`] : []
  return startProcess(
    [
      CLI_PATH,
      '--db',
      db,
      ...dataDir,
      '--port',
      String(options.port ?? 0),
      '--seed',
      'demo',
      ...(options.args ?? []),
    ],
    { SUPORTRA_LOG_LEVEL: 'warn', SUPORTRA_SCRYPT_N: '4096', ...options.env },
  )
}

/**
 * Runs `node <args>` with `env` added to this process's environment and resolves once it prints
 * "Suportra server on <url>" (it fails with the output if it exits before that).
 */
export async function startProcess(args: string[], env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    let output = ''
    child.stdout?.on('data', (chunk) => {
      output += chunk
      const match = output.match(/Suportra server on (http:\/\/\S+)/)
      if (match?.[1]) resolve(match[1])
    })
    child.stderr?.on('data', (chunk) => {
      output += chunk
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)))
  })
  return {
    url,
    port: Number(new URL(url).port),
    child,
    async kill() {
      child.kill('SIGKILL')
      await exited
    },
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { ServerOptions } from '@suportra/server'
import { CLI_PATH } from '@suportra/server/testing'

const MAIN = fileURLToPath(new URL('server-main.mjs', import.meta.url))

export interface ServerProcess {
  url: string
  port: number
  child: ChildProcess
  /** SIGKILL: no shutdown code runs, as in a crash. Resolves when the process is gone. */
  kill(): Promise<void>
  /** SIGTERM: a clean shutdown. */
  stop(): Promise<void>
}

/**
 * Starts the built server (`pnpm build` first) as a child process on `db` with `options`, on `port`
 * (0 picks a free one; pass the previous port to come back on the same address).
 */
export async function startServerProcess(
  db: string,
  options: ServerOptions & { port?: number } = {},
): Promise<ServerProcess> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run pnpm build first`)
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      SUPORTRA_LOG_LEVEL: process.env.SUPORTRA_LOG_LEVEL ?? 'error',
      SUPORTRA_FAULTS_SERVER: JSON.stringify({ scryptCost: 2 ** 12, port: 0, ...options, db }),
    },
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

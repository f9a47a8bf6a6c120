#!/usr/bin/env node
/**
 * `suportra`: a human builder from the terminal. `suportra --help` lists the commands; each has its
 * own `--help`. Exit codes: 0 ok, 1 failed, 2 used wrongly, 130 interrupted.
 */
import type { SuportraClient } from '@suportra/client'
import { CommanderError } from 'commander'
import { connect } from './config/connect.js'
import { EXIT, explain } from './errors.js'
import { program } from './program.js'

const debug = process.argv.includes('--debug')
// Piped into `head` (or a closed terminal): the reader has gone, so stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}
let client: SuportraClient | undefined

const cli = program(async (work, target) => {
  client = connect(target)
  const code: unknown = await work(client, target)
  process.exitCode = typeof code === 'number' ? code : EXIT.ok
})

try {
  // No command: the help, on stderr, and exit 2 (`suportra --help` prints it and exits 0).
  if (process.argv.length <= 2) cli.help({ error: true })
  await cli.parseAsync()
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with 0; anything else commander refused is a usage error.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage
  } else {
    const url = cli.opts().url as string
    const { message, exitCode } = explain(error, url)
    process.stderr.write(`suportra: ${message}\n`)
    if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`)
    process.exitCode = exitCode
  }
} finally {
  client?.destroy()
}
// Open handles (stdin, a socket closing) must not keep a finished command alive.
setImmediate(() => process.exit())

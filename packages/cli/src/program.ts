import { createRequire } from 'node:module'
import type { SuportraClient } from '@suportra/client'
import { Command, Option } from 'commander'
import { login, logout, whoami } from './commands/account.js'
import { ask, resume } from './commands/ask.js'
import { credits, tools } from './commands/credits.js'
import { cancel, sessions, transcript } from './commands/sessions.js'
import { connect, DEFAULT_APP, DEFAULT_URL, type Target } from './config/connect.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** What a command does once its flags are parsed; resolves to an exit code (0 when nothing is returned). */
type Run = (client: SuportraClient, target: Target) => unknown

/**
 * The `suportra` program. `run` is called with the chosen command's work: it owns the client (made
 * from --url/--app) and the exit code.
 */
export function program(run: (work: Run, target: Target) => Promise<void>): Command {
  const root = new Command('suportra')
    .description('Ask a human builder from the terminal. Secrets are caught before anything leaves.')
    .version(version, '-v, --version', 'print the version')
    .addOption(new Option('--url <url>', 'the Suportra server').env('SUPORTRA_URL').default(DEFAULT_URL))
    .addOption(new Option('--app <id>', 'your app id').env('SUPORTRA_APP').default(DEFAULT_APP))
    .option('--no-color', 'no colours (NO_COLOR=1 too)')
    .option('--debug', 'print stack traces on failure')
    .configureHelp({ showGlobalOptions: true })
    // Set before the commands are added, which copy it: commander's failures reach our exit codes.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .showHelpAfterError('Usage: suportra <command> [options]  (suportra --help lists the commands)')
    .addHelpText(
      'after',
      '\nEnvironment: SUPORTRA_URL, SUPORTRA_APP, SUPORTRA_CONFIG_DIR (default ~/.config/suportra), SUPORTRA_PASSWORD, NO_COLOR\nExit codes: 0 ok, 1 failed, 2 usage, 130 interrupted',
    )
  const command = (name: string, description: string) => {
    return root.command(name).description(description)
  }
  const target = (cmd: Command): Target => {
    const { url, app } = cmd.optsWithGlobals() as Target
    return { url, app }
  }
  const chatFlags = (cmd: Command) =>
    cmd
      .option('--redact', 'send secrets found redacted, without asking')
      .option('--send-anyway', 'send secrets found as they are, without asking')
      .option('--apply-patches', 'apply the patches a builder sends (after git apply --check) without asking')

  command('login', 'sign in; the password is asked, or read from SUPORTRA_PASSWORD or stdin')
    .option('--email <email>', 'your email (asked in a terminal when left out)')
    .option('--password-stdin', 'read the password from stdin (for scripts)')
    .action((flags, cmd: Command) => run((client) => login(client, flags), target(cmd)))
  command('logout', 'sign out and forget the sign-in kept on this machine').action((_flags, cmd: Command) =>
    run((client) => logout(client), target(cmd)),
  )
  command('whoami', 'who is signed in, on which server and app').action((_flags, cmd: Command) =>
    run((client, to) => whoami(client, to), target(cmd)),
  )
  command('tools', 'the AI coding tools you can ask about (ids for ask --tool)').action(
    (_flags, cmd: Command) => run((client) => tools(client), target(cmd)),
  )
  command('credits', 'your balance, the packs for sale, and a checkout link')
    .option('--buy <pack>', 'print a link to pay for this pack')
    .action((flags, cmd: Command) => run((client, to) => credits(client, to, flags), target(cmd)))
  chatFlags(
    command('ask', 'start a session with a human builder and chat with them')
      .argument('<topic>', 'what you are stuck on, in a sentence')
      .option('--tool <id>', 'the AI tool you use (see suportra tools)', 'claude-code')
      .option(
        '--attach <file>',
        'attach a file (repeat for more); text files are checked for secrets',
        collect,
        [],
      )
      .option(
        '--context-from-git',
        'share the repository name, its remote (no credentials) and the uncommitted diff',
      ),
  ).action((topic: string, flags, cmd: Command) => run((client) => ask(client, topic, flags), target(cmd)))
  chatFlags(
    command('resume', 'go back into a session left waiting or open').argument('<id>', 'the session id'),
  ).action((id: string, flags, cmd: Command) => run((client) => resume(client, id, flags), target(cmd)))
  command('cancel', 'withdraw a session nobody has joined; the credit held is released')
    .argument('<id>', 'the session id')
    .action((id: string, _flags, cmd: Command) => run((client) => cancel(client, id), target(cmd)))
  command('sessions', 'your sessions, newest first')
    .option('--json', 'as JSON')
    .action((flags, cmd: Command) => run((client) => sessions(client, flags), target(cmd)))
  command('transcript', 'a session as Markdown, to paste back into your AI tool')
    .argument('<id>', 'the session id')
    .action((id: string, _flags, cmd: Command) => run((client) => transcript(client, id), target(cmd)))
  // One line of usage after a mistake (an unknown flag, a missing argument), not the whole help.
  for (const sub of root.commands) {
    sub.showHelpAfterError(
      `Usage: suportra ${sub.name()} ${sub.usage()}  (suportra ${sub.name()} --help for more)`,
    )
  }
  return root
}

const collect = (value: string, previous: string[]) => [...previous, value]

export { connect }

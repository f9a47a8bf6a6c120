import { password as askPassword, isCancel, text } from '@clack/prompts'
import type { SuportraClient } from '@suportra/client'
import type { Target } from '../config/connect.js'
import { CliError, EXIT } from '../errors.js'
import { interactive, say } from '../io/terminal.js'

/** All of stdin, without its final line ending (spaces are part of a password). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

const answered = (value: string | symbol): string => {
  if (isCancel(value)) throw new CliError('login cancelled', EXIT.interrupted)
  return value as string
}

/**
 * `suportra login`: the email from --email or asked; the password from SUPORTRA_PASSWORD, from stdin
 * with --password-stdin, or asked (hidden) in a terminal. Without a terminal nothing is asked.
 */
export async function login(
  client: SuportraClient,
  flags: { email?: string; passwordStdin?: boolean },
): Promise<void> {
  const email =
    flags.email ??
    (interactive()
      ? answered(
          await text({
            message: 'Email',
            validate: (v) => (v?.includes('@') ? undefined : 'An email address'),
          }),
        )
      : undefined)
  if (!email) throw new CliError('no terminal to ask for the email: pass --email', EXIT.usage)
  const password = flags.passwordStdin
    ? await readStdin()
    : (process.env.SUPORTRA_PASSWORD ??
      (interactive() ? answered(await askPassword({ message: 'Password' })) : undefined))
  if (password === undefined) {
    throw new CliError(
      'no terminal to ask for the password: set SUPORTRA_PASSWORD or pass --password-stdin',
      EXIT.usage,
    )
  }
  const user = await client.auth.signIn({ email, password })
  say(`Signed in as ${user.name} <${user.email}>.`)
}

export async function logout(client: SuportraClient): Promise<void> {
  const user = client.$user.get()
  await client.auth.signOut()
  say(user ? `Signed out ${user.email}.` : 'Not signed in.')
}

export function whoami(client: SuportraClient, target: Target): number {
  const user = client.$user.get()
  if (!user) {
    say(`Not signed in to ${target.url} (app ${target.app}): run \`suportra login\`.`)
    return EXIT.failure
  }
  say(`${user.name} <${user.email}> on ${target.url} (app ${target.app})`)
  return EXIT.ok
}

import type { SuportraClient } from '@suportra/client'
import type { SessionContext } from '@suportra/protocol'
import pc from 'picocolors'
import { follow } from '../chat/follow.js'
import { time } from '../chat/render.js'
import { requireUser } from '../config/connect.js'
import { CliError, EXIT } from '../errors.js'
import { contextFromGit } from '../git/git-context.js'
import type { SecretPolicy } from '../io/guard.js'
import { guard } from '../io/guard.js'
import { say, warn } from '../io/terminal.js'
import { attachment } from './attachments.js'
import { loadSession } from './sessions.js'

export interface ChatFlags {
  redact?: boolean
  sendAnyway?: boolean
  applyPatches?: boolean
}

export interface AskFlags extends ChatFlags {
  tool: string
  attach: string[]
  contextFromGit?: boolean
}

export const policyOf = (flags: ChatFlags): SecretPolicy =>
  flags.sendAnyway ? 'send-anyway' : flags.redact ? 'redact' : 'ask'

/** `suportra ask "<topic>"`: everything is checked before the session (and its credit hold) starts. */
export async function ask(client: SuportraClient, topic: string, flags: AskFlags): Promise<number> {
  requireUser(client)
  if (flags.redact && flags.sendAnyway)
    throw new CliError('--redact and --send-anyway contradict each other', EXIT.usage)
  const tools = await client.tools()
  if (!tools.some((tool) => tool.id === flags.tool)) {
    throw new CliError(
      `unknown --tool "${flags.tool}": one of ${tools.map((t) => t.id).join(', ')}`,
      EXIT.usage,
    )
  }
  const policy = policyOf(flags)
  const about = await guard(topic, 'The topic', policy)
  if (about === undefined) return stopped('the topic')
  const files: File[] = []
  for (const path of flags.attach) {
    const file = await attachment(path, policy)
    if (file === undefined) return stopped(path)
    files.push(file)
  }
  const context: SessionContext = flags.contextFromGit ? contextFromGit() : {}
  const shared = await guard(context, 'The git context', policy)
  if (shared === undefined) return stopped('the git context')

  const session = await client.sessions.start({ tool: flags.tool, topic: about, context: shared })
  const started = session.$session.get()
  say(
    `${pc.dim(time(started?.createdAt ?? Date.now()))} Session ${pc.bold(session.id)} started; ${started?.cost ?? 1} credit held. Ctrl+C to cancel it or keep it for later.`,
  )
  // Followed from the start: a builder may join while the files upload.
  const followed = follow(session, { policy, applyPatches: Boolean(flags.applyPatches) })
  if (files.length > 0) {
    await session.send({ text: `Attached: ${files.map((f) => f.name).join(', ')}`, files }).then(
      () => say(pc.dim(`  Attached ${files.map((f) => f.name).join(', ')}`)),
      (error: Error) => warn(pc.red(`! the files were not sent: ${error.message}`)),
    )
  }
  const code = await followed
  if (code === EXIT.ok) say(`Transcript: suportra transcript ${session.id}`)
  return code
}

function stopped(what: string): number {
  warn(`Stopped: ${what} was not sent, and no session was started.`)
  return EXIT.failure
}

/** `suportra resume <id>`: back into a session left waiting or open, its history first. */
export async function resume(client: SuportraClient, id: string, flags: ChatFlags): Promise<number> {
  const session = await loadSession(client, id)
  const current = session.$session.get()
  if (!current) throw new CliError(`no session ${id}`)
  if (current.status === 'closed' || current.status === 'cancelled') {
    say(`Session ${id} is ${current.status}; its transcript: suportra transcript ${id}`)
    return EXIT.ok
  }
  say(`${pc.dim(time(current.createdAt))} Session ${pc.bold(id)}: ${current.topic} (${current.status})`)
  return follow(session, { policy: policyOf(flags), applyPatches: Boolean(flags.applyPatches) })
}

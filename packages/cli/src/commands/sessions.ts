import { type SessionHandle, type SuportraClient, SuportraError } from '@suportra/client'
import { exportMarkdown } from '@suportra/client/markdown'
import { requireUser } from '../config/connect.js'
import { CliError, EXIT } from '../errors.js'
import { say } from '../io/terminal.js'

/** A session by id, loaded; a missing one is named. */
export async function loadSession(client: SuportraClient, id: string): Promise<SessionHandle> {
  requireUser(client)
  const session = client.sessions.get(id)
  try {
    await session.refresh()
  } catch (error) {
    if (SuportraError.isInstance(error) && (error.code === 'not_found' || error.code === 'forbidden')) {
      throw new CliError(`no session ${id} of yours (see suportra sessions)`)
    }
    throw error
  }
  return session
}

/** `suportra sessions [--json]`: newest first. */
export async function sessions(client: SuportraClient, flags: { json?: boolean }): Promise<void> {
  requireUser(client)
  const list = await client.sessions.list()
  if (flags.json) return say(JSON.stringify(list, null, 2))
  if (list.length === 0) return say('No sessions yet: suportra ask "<what you are stuck on>"')
  for (const s of list) {
    const queue = s.queue ? ` #${s.queue.position}` : ''
    say(
      `${s.id}  ${new Date(s.createdAt).toISOString().slice(0, 16).replace('T', ' ')}  ${(s.status + queue).padEnd(11)}  ${s.tool.padEnd(12)}  ${s.builder?.name ?? '—'}  ${s.topic}`,
    )
  }
}

export async function transcript(client: SuportraClient, id: string): Promise<void> {
  const session = await loadSession(client, id)
  say(await exportMarkdown(session))
}

/** `suportra cancel <id>`: withdraws a session nobody has joined; the credit held is released. */
export async function cancel(client: SuportraClient, id: string): Promise<number> {
  const session = await loadSession(client, id)
  const status = session.$session.get()?.status
  if (status !== 'waiting') {
    throw new CliError(`session ${id} is ${status}: only a session nobody has joined can be cancelled`)
  }
  await session.cancel()
  const balance = await client.credits.refresh()
  say(`Cancelled ${id}; the credit held is released (balance ${balance}).`)
  return EXIT.ok
}

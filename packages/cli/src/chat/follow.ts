import { isCancel, select } from '@clack/prompts'
import type { SessionHandle } from '@suportra/client'
import pc from 'picocolors'
import { EXIT } from '../errors.js'
import { guard, type SecretPolicy } from '../io/guard.js'
import { aside, interactive, say, warn } from '../io/terminal.js'
import { openInput } from './input.js'
import { offerPatch } from './patch.js'
import { type Incoming, queueLine, render, time } from './render.js'

export interface FollowOptions {
  policy: SecretPolicy
  /** Apply patches that pass `git apply --check` without asking (the only way without a terminal). */
  applyPatches: boolean
}

/**
 * Follows a session until it ends or the person leaves: the queue position while waiting, "<builder>
 * joined" before anything they say, their messages (code highlighted, patches offered), typing; each
 * line typed is checked for secrets and sent. Resolves to the exit code.
 */
export function follow(session: SessionHandle, options: FollowOptions): Promise<number> {
  const id = session.id
  /** Messages printed, and messages this process sent (seen pending first: the terminal shows them already). */
  const printed = new Set<string>()
  const mine = new Set<string>()
  /** The builder's messages that arrived before the session says who they are: printed after "joined". */
  const held: Incoming[] = []
  let joined = false
  let lastQueue = ''
  let leaving = false
  let work: Promise<unknown> = Promise.resolve()
  const later = (task: () => Promise<unknown>) => {
    work = work.then(task).catch((error: Error) => warn(pc.red(`! ${error.message}`)))
  }

  let finish: (code: number) => void = () => {}
  const finished = new Promise<number>((resolve) => {
    finish = resolve
  })

  const builderName = () => session.$session.get()?.builder?.name
  const show = (message: Incoming) => {
    const author =
      message.author === 'builder'
        ? (builderName() ?? 'builder')
        : message.author === 'user'
          ? 'you'
          : 'suportra'
    say(render(message, author))
    const patch = message.patch
    if (patch && message.author === 'builder') {
      later(async () => {
        const result = await offerPatch(patch, options.applyPatches)
        if (result.detail === 'declined') return
        // Reported as a patch result: the builder's console shows "Patch applied" / "Patch failed: …".
        await session.send({
          text: result.applied ? 'Patch applied' : `Patch failed: ${result.detail ?? 'unknown'}`,
          patchResult: { messageId: message.id, applied: result.applied, detail: result.detail ?? null },
        })
      })
    }
  }
  const announce = () => {
    const name = builderName()
    if (joined || !name) return
    joined = true
    say(
      pc.green(
        `${pc.dim(time(session.$session.get()?.assignedAt ?? Date.now()))} ${name} joined. Type your replies; each line is sent.`,
      ),
    )
    for (const message of held.splice(0)) show(message)
  }

  const input = openInput({
    line: (text) =>
      later(async () => {
        if (!text.trim()) return
        const checked = await guard(text, 'That message', options.policy)
        if (checked !== undefined) await session.send(checked)
      }),
    interrupt: () => void interrupt(),
    key: () => session.typing(),
  })
  const offMessages = session.$messages.subscribe((messages) => {
    for (const message of messages as Incoming[]) {
      if (message.status === 'pending') mine.add(message.key)
      if (message.status !== 'sent' || printed.has(message.key)) continue
      printed.add(message.key)
      if (message.kind === 'event') {
        if (message.body === 'claimed' && !joined) session.refresh().then(announce, announce)
      } else if (mine.has(message.key)) {
        // Typed here: the terminal shows it already.
      } else if (message.author === 'builder' && !joined) {
        held.push(message)
        session.refresh().then(announce, announce)
      } else {
        show(message)
      }
    }
  })
  const offSession = session.$session.subscribe((current) => {
    if (!current) return
    if (current.builder) announce()
    if (current.status === 'waiting' && current.queue) {
      const line = queueLine(current.queue)
      if (line !== lastQueue) say(pc.dim(`${time(Date.now())} Waiting: ${line}`))
      lastQueue = line
    }
    if ((current.status === 'closed' || current.status === 'cancelled') && !leaving) {
      say(pc.dim(`— Session ${current.status}.`))
      finish(EXIT.ok)
    }
  })
  const offTyping = session.$typing.subscribe((typing) => {
    input.setStatus(typing?.author === 'builder' ? `${builderName() ?? 'The builder'} is typing…` : '')
  })

  let asking = false
  async function interrupt() {
    if (asking || leaving) return
    const current = session.$session.get()
    if (current?.status !== 'waiting') {
      leaving = true
      say(`Left the chat; the session stays open: suportra resume ${id}`)
      return finish(EXIT.interrupted)
    }
    // Nobody to ask: the session is withdrawn, so no credit stays held for someone who has gone.
    let choice: unknown = 'cancel'
    if (interactive()) {
      asking = true
      choice = await aside(() =>
        select({
          message: 'Nobody has joined yet. Cancel the session?',
          options: [
            { value: 'cancel', label: 'Cancel it', hint: 'the credit held is released' },
            { value: 'keep', label: 'Keep it in the queue', hint: `come back with: suportra resume ${id}` },
            { value: 'stay', label: 'Stay and wait' },
          ],
        }),
      )
      asking = false
      if (choice === 'stay') return
    }
    leaving = true
    if (choice === 'cancel' && !isCancel(choice)) {
      try {
        await session.cancel()
        say(`Cancelled ${id}; the credit held is released.`)
      } catch (error) {
        // A builder claimed it meanwhile: it is theirs to answer now.
        warn(
          pc.yellow(`! Not cancelled (${(error as Error).message}); come back with: suportra resume ${id}`),
        )
      }
    } else {
      say(`Kept in the queue. Come back with: suportra resume ${id} (or withdraw it: suportra cancel ${id})`)
    }
    finish(EXIT.interrupted)
  }

  const onSignal = () => void interrupt()
  process.on('SIGINT', onSignal)

  return finished.then(async (code) => {
    process.off('SIGINT', onSignal)
    input.close()
    offMessages()
    offSession()
    offTyping()
    // Whatever was typed before the end still goes out (and patches finish).
    await work
    return code
  })
}

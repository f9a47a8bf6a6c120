import type { ChatMessage } from '@suportra/client'
import type { Message } from '@suportra/client/protocol'

/** What a client shows: the message list of a session handle. */
export interface View {
  name: string
  messages: readonly Pick<ChatMessage, 'id' | 'seq' | 'status' | 'body' | 'author'>[]
  /** The view shows no event lines (a rendered widget): those are not counted as missing. */
  chatOnly?: boolean
  /** The view holds the transcript from this seq on (older pages not loaded yet, by design). */
  fromSeq?: number
}

export interface Tally {
  /** Sent but not stored, or stored but missing (or still unsent) in a client's view. */
  lost: number
  /** Extra copies: of one text in the database, or of one message in a view. */
  duplicated: number
  /** Seq not increasing (database or view), or one sender's messages stored out of the order written. */
  outOfOrder: number
  /** Human-readable examples of each problem, for the failure message. */
  problems: string[]
}

/**
 * Compares what each sender wrote (texts in the order written, each unique), what the database
 * stored for the session (oldest first), and what each client shows. Text bodies are
 * `<sender>#<n>`; system event messages are only compared between the database and the views.
 */
export function tally(
  written: Map<string, string[]>,
  stored: readonly Message[],
  views: readonly View[],
): Tally {
  const problems: string[] = []
  const note = (text: string) => problems.length < 20 && problems.push(text)
  let lost = 0
  let duplicated = 0
  let outOfOrder = 0

  // The database against what was written.
  const copies = new Map<string, number>()
  for (const m of stored) copies.set(m.body, (copies.get(m.body) ?? 0) + 1)
  for (const [sender, texts] of written) {
    let last = -1
    for (const text of texts) {
      const n = copies.get(text) ?? 0
      if (n === 0) {
        lost++
        note(`${text} (by ${sender}) is not in the database`)
      }
      if (n > 1) {
        duplicated += n - 1
        note(`${text} is stored ${n} times`)
      }
    }
    const order = stored
      .filter((m) => m.body.startsWith(`${sender}#`))
      .map((m) => Number(m.body.slice(sender.length + 1)))
    for (const index of order) {
      if (index < last) {
        outOfOrder++
        note(`${sender}#${index} is stored after ${sender}#${last}`)
      }
      last = Math.max(last, index)
    }
  }
  for (let i = 0; i < stored.length; i++) {
    const seq = stored[i]?.seq
    if (seq !== i + 1) {
      outOfOrder++
      note(`database position ${i + 1} holds seq ${seq}`)
      break
    }
  }

  // Each view against the database.
  const position = new Map(stored.map((m, i) => [m.id, i]))
  for (const view of views) {
    const seen = new Set<string>()
    let last = -1
    for (const m of view.messages) {
      if (m.status !== 'sent') continue
      if (seen.has(m.id)) {
        duplicated++
        note(`${view.name} shows ${m.body} twice`)
        continue
      }
      seen.add(m.id)
      const at = position.get(m.id)
      if (at === undefined) {
        // Shown as sent but not stored: a phantom; count it as doubled display.
        duplicated++
        note(`${view.name} shows ${m.id} (${m.body}), which the database does not have`)
        continue
      }
      if (at < last) {
        outOfOrder++
        note(`${view.name} shows ${m.body} after a later message`)
      }
      last = Math.max(last, at)
    }
    const unsent = view.messages.filter((m) => m.status !== 'sent')
    for (const m of unsent) note(`${view.name} still has ${m.body} ${m.status}`)
    const missing = stored.filter(
      (m) => !seen.has(m.id) && !(view.chatOnly && m.kind === 'event') && m.seq >= (view.fromSeq ?? 0),
    )
    for (const m of missing.slice(0, 3)) note(`${view.name} is missing seq ${m.seq} (${m.body})`)
    lost += missing.length
  }
  return { lost, duplicated, outOfOrder, problems }
}

/** Adds tallies up. */
export function sum(tallies: readonly Tally[]): Tally {
  return {
    lost: tallies.reduce((n, t) => n + t.lost, 0),
    duplicated: tallies.reduce((n, t) => n + t.duplicated, 0),
    outOfOrder: tallies.reduce((n, t) => n + t.outOfOrder, 0),
    problems: tallies.flatMap((t) => t.problems).slice(0, 30),
  }
}

/** Polls until `settled` returns true or the time is up (then the caller tallies what it has). */
export async function settle(settled: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await settled()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return settled()
}

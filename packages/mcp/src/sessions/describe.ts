import type { ChatMessage, Session } from '@suportra/client'

/** "waiting, #2 in the queue (expected wait about 3 min)", "active with Grace Hopper", "closed"… */
export function statusLine(session: Session): string {
  if (session.status === 'waiting') {
    const place = session.queue ? `, #${session.queue.position} in the queue` : ''
    const wait = session.queue?.expectedWaitSeconds
    return `waiting${place}${wait == null ? '' : ` (expected wait ${minutes(wait)})`}`
  }
  if (session.status === 'active') return `active with ${session.builder?.name ?? 'a builder'}`
  return session.status
}

const minutes = (seconds: number) =>
  seconds < 90 ? `about ${Math.max(1, Math.round(seconds))} s` : `about ${Math.round(seconds / 60)} min`

const EVENTS: Record<string, (builder: string) => string> = {
  claimed: (builder) => `${builder} joined the session.`,
  closed: () => 'The session was closed.',
  cancelled: () => 'The session was cancelled.',
  video: () => 'The session became a video call.',
}

/** One message as the agent gets it, structured. */
export interface ReplyMessage {
  seq: number
  author: 'user' | 'builder' | 'system'
  authorName: string | null
  text: string
  code: { language: string; content: string } | null
  patch: { diff: string; description: string | null } | null
  attachments: string[]
  createdAt: string
}

export function toReply(message: ChatMessage, session: Session): ReplyMessage {
  const event = message.kind === 'event' ? EVENTS[message.body] : undefined
  const name =
    message.author === 'builder'
      ? (session.builder?.name ?? 'Builder')
      : message.author === 'user'
        ? 'You'
        : null
  const patch = message.patch && typeof message.patch.diff === 'string' ? message.patch : null
  return {
    seq: message.seq ?? 0,
    author: message.author,
    authorName: name,
    text: event ? event(session.builder?.name ?? 'A builder') : message.body,
    code: message.code,
    patch: patch && { diff: patch.diff, description: patch.description ?? null },
    attachments: message.attachments.map((a) => a.name),
    createdAt: new Date(message.createdAt).toISOString(),
  }
}

/** A message as Markdown: who, when, the text, code and patch fenced. */
export function toMarkdown(reply: ReplyMessage): string {
  const who = reply.authorName ? `**${reply.authorName}**` : '_Suportra_'
  let out = `${who} (${reply.createdAt}): ${reply.text}`
  if (reply.code) out += `\n\n${fence(reply.code.content, reply.code.language)}`
  if (reply.patch) {
    out += `\n\nPatch${reply.patch.description ? `: ${reply.patch.description}` : ''} (apply with \`git apply\`):\n\n${fence(reply.patch.diff, 'diff')}`
  }
  for (const name of reply.attachments) out += `\n- attached: ${name}`
  return out
}

/** A fenced block that no line of `content` can close early. */
function fence(content: string, language: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length))
  const ticks = '`'.repeat(longest + 1)
  return `${ticks}${language}\n${content.replace(/\n$/, '')}\n${ticks}`
}

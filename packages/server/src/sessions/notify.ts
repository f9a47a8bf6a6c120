import type { Message, Session } from '@suportra/protocol'
import type { Context } from '../context.js'

/** The people who see a session's messages: its user and, once claimed, its builder. */
export function participantsOf(row: { user_id: string; builder_id: string | null }): string[] {
  return row.builder_id ? [row.user_id, row.builder_id] : [row.user_id]
}

export function notifySession(ctx: Context, session: Session): void {
  const users = session.builder ? [session.user.id, session.builder.id] : [session.user.id]
  ctx.bus.publish({ kind: 'event', users, event: { type: 'session', session } })
}

/**
 * Announces a message just stored (each message once: a retry answered from the database is not).
 * `json`: the message as JSON, if the caller has it (then the event is not serialised again).
 */
export function notifyMessage(ctx: Context, users: string[], message: Message, json?: string): void {
  ctx.metrics.messagesSent.inc({ author: message.author })
  const event = { type: 'message', message } as const
  const data = json === undefined ? undefined : `{"type":"message","message":${json}}`
  ctx.bus.publish({ kind: 'event', users, event, ...(data !== undefined && { data }) })
}

/** Tells the builders who cover the session's tool that it entered or left the queue. */
export function notifyQueue(ctx: Context, action: 'added' | 'removed', session: Session): void {
  ctx.bus.publish({
    kind: 'event',
    users: [],
    builders: { tool: session.tool },
    event: { type: 'queue', action, session },
  })
}

import type { ServerSession, WebhookEventType } from '@suportra/protocol/server-api'
import { sql } from 'kysely'
import type { Tx } from '../db/database.js'
import type { SessionRow } from '../db/schema.js'
import { newId } from '../ids.js'

/**
 * Puts a webhook event in the outbox, inside the transaction of the change it reports: if that rolls
 * back, no event; if it commits, the event will be delivered (at least once) to every endpoint of the
 * app subscribed to its type. `orderKey` (a session id) keeps events about one thing in order: each
 * endpoint gets one only after the previous one with that key was delivered (or given up).
 * Nothing is written when no endpoint wants the event.
 */
export async function queueWebhook(
  tx: Tx,
  event: {
    appId: string
    type: WebhookEventType
    /** The event's data, or a function that reads it (called only when an endpoint wants the event). */
    data: Data | ((tx: Tx) => Promise<Data | undefined>)
    orderKey?: string
  },
): Promise<void> {
  const endpoints = await tx
    .selectFrom('webhook_endpoints')
    .select(['id', 'events'])
    .where('app_id', '=', event.appId)
    .execute()
  const targets = endpoints.filter((e) => (JSON.parse(e.events) as string[]).includes(event.type))
  if (targets.length === 0) return
  const data = typeof event.data === 'function' ? await event.data(tx) : event.data
  if (!data) return
  const now = Date.now()
  const id = newId('evt')
  const payload = JSON.stringify({ id, type: event.type, created: Math.floor(now / 1000), data })
  await tx
    .insertInto('webhook_events')
    .values({ id, app_id: event.appId, type: event.type, payload, created_at: now })
    .execute()
  for (const endpoint of targets) {
    // The caller holds the row lock of what `orderKey` names (the session), so this is race-free.
    const last = event.orderKey
      ? await tx
          .selectFrom('webhook_deliveries')
          .select(sql<number>`coalesce(max(order_seq), 0)`.as('seq'))
          .where('endpoint_id', '=', endpoint.id)
          .where('order_key', '=', event.orderKey)
          .executeTakeFirstOrThrow()
      : { seq: 0 }
    await tx
      .insertInto('webhook_deliveries')
      .values({
        id: newId('whd'),
        event_id: id,
        endpoint_id: endpoint.id,
        order_key: event.orderKey ?? null,
        order_seq: event.orderKey ? Number(last.seq) + 1 : 0,
        status: 'pending',
        next_attempt_at: now,
        last_status: null,
        last_error: null,
        created_at: now,
        delivered_at: null,
      })
      .execute()
  }
}

type Data = Record<string, unknown>

/**
 * Erasure: removes the outbox's copies of events about `userId` (sent or not), inside the deletion's
 * transaction. Queue the `user.deleted` event after this: it is the one left about them.
 */
export async function forgetUserEvents(tx: Tx, userId: string): Promise<void> {
  // Ids are letters, digits, `_` and `-`; `_` is a LIKE wildcard, so it is escaped.
  const pattern = `%"userId":"${userId.replace(/[\\%_]/g, (c) => `\\${c}`)}"%`
  const about = tx
    .selectFrom('webhook_events')
    .select('id')
    .where(sql<boolean>`payload like ${pattern} escape '\\'`)
  await tx.deleteFrom('webhook_deliveries').where('event_id', 'in', about).execute()
  await tx.deleteFrom('webhook_events').where(sql<boolean>`payload like ${pattern} escape '\\'`).execute()
}

/** The columns of a session that are metadata (never `topic`, `context` or `rating_comment`). */
const META_COLUMNS = [
  's.id',
  's.app_id',
  's.user_id',
  's.tool',
  's.kind',
  's.status',
  's.created_at',
  's.assigned_at',
  's.closed_at',
  's.builder_id',
  's.rating_score',
] as const

/** A session's metadata columns, with the user's external id and the builder's name. */
export type SessionMeta = Pick<
  SessionRow,
  | 'id'
  | 'app_id'
  | 'user_id'
  | 'tool'
  | 'kind'
  | 'status'
  | 'created_at'
  | 'assigned_at'
  | 'closed_at'
  | 'builder_id'
  | 'rating_score'
> & { external_id: string | null; builder_name: string | null }

/** A session's metadata for the vendor: never its topic, context, messages, files or rating comment. */
export function toServerSession(row: SessionMeta): ServerSession {
  return {
    id: row.id,
    appId: row.app_id,
    userId: row.user_id,
    externalId: row.external_id,
    tool: row.tool,
    kind: row.kind,
    status: row.status,
    createdAt: Number(row.created_at),
    assignedAt: row.assigned_at === null ? null : Number(row.assigned_at),
    closedAt: row.closed_at === null ? null : Number(row.closed_at),
    builder: row.builder_id ? { name: row.builder_name ?? 'Builder' } : null,
    rating: row.rating_score === null ? null : { score: row.rating_score },
  }
}

/**
 * Sessions' metadata: only the columns above (content is never even read), with the user's external
 * id and the builder's name.
 */
export function sessionMetaQuery(q: Pick<Tx, 'selectFrom'>) {
  return q
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('users as b', 'b.id', 's.builder_id')
    .select([...META_COLUMNS, 'u.external_id as external_id', 'b.name as builder_name'])
}

const SESSION_TYPES = {
  started: 'session.started',
  claimed: 'session.claimed',
  closed: 'session.closed',
  cancelled: 'session.cancelled',
  rated: 'session.rated',
} as const

/**
 * Queues the webhook for a session's lifecycle step, in the step's transaction (which holds the
 * session's row lock). Steps without a webhook (`video`) queue nothing.
 */
export async function queueSessionWebhook(tx: Tx, sessionId: string, step: string): Promise<void> {
  const type = SESSION_TYPES[step as keyof typeof SESSION_TYPES]
  if (!type) return
  const session = await tx
    .selectFrom('sessions')
    .select('app_id')
    .where('id', '=', sessionId)
    .executeTakeFirst()
  if (!session) return
  await queueWebhook(tx, {
    appId: session.app_id,
    type,
    data: async () => {
      const row = await sessionMetaQuery(tx).where('s.id', '=', sessionId).executeTakeFirst()
      return row && { session: toServerSession(row) }
    },
    orderKey: sessionId,
  })
}

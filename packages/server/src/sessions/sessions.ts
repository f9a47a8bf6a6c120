import { CONTEXT_LIMITS, type QueueInfo, type Session, type StartSessionRequest } from '@suportra/protocol'
import type { Caller } from '../auth/tokens.js'
import type { Config } from '../config.js'
import type { Context } from '../context.js'
import type { Database } from '../db/database.js'
import type { SessionRow } from '../db/schema.js'
import { conflict, forbidden, invalid, notFound, tooLarge } from '../errors.js'
import { toolsOf } from '../users/users.js'
import { queueInfos } from './queue-position.js'

/** A session row with the names of the people in it. */
export type SessionRecord = SessionRow & { user_name: string; builder_name: string | null }

/**
 * How the caller relates to a session. `preview`: a builder looking at a waiting session in the
 * queue, which only builders who cover the session's tool see.
 */
export type Access = 'owner' | 'builder' | 'preview'

export function sessionQuery(store: Database) {
  return store.db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('users as b', 'b.id', 's.builder_id')
    .selectAll('s')
    .select(['u.name as user_name', 'b.name as builder_name'])
}

/** What deciding access to a session and resuming it needs, without the names (a socket's replay). */
export function findSessionState(store: Database, id: string) {
  return store.db
    .selectFrom('sessions')
    .select(['user_id', 'builder_id', 'status', 'tool', 'last_seq'])
    .where('id', '=', id)
    .executeTakeFirst()
}

/**
 * `tools`: the tools a builder caller covers; without it a builder gets no `preview` of a waiting
 * session (callers that never need one need not look them up).
 */
export function accessOf(
  row: Pick<SessionRow, 'user_id' | 'builder_id' | 'status' | 'tool'>,
  caller: Caller,
  tools?: readonly string[],
): Access | null {
  if (row.user_id === caller.userId) return 'owner'
  if (caller.role !== 'builder') return null
  if (row.builder_id === caller.userId) return 'builder'
  if (row.status === 'waiting' && tools?.includes(row.tool)) return 'preview'
  return null
}

/**
 * Loads a session the caller may see, or throws 404 (we do not reveal sessions that exist but are
 * not yours). `allowed` narrows which kinds of access the operation needs; others get 403.
 */
export async function loadSession(
  ctx: Context,
  caller: Caller,
  id: string,
  allowed: Access[] = ['owner', 'builder', 'preview'],
): Promise<{ row: SessionRecord; access: Access }> {
  const row = await sessionQuery(ctx.store).where('s.id', '=', id).executeTakeFirst()
  return { row: row as SessionRecord, access: await checkAccess(ctx, caller, row, allowed) }
}

/**
 * `loadSession`'s check on a row already read (the send path reads a narrower one): the caller's
 * access, or 404 when there is no row or none, 403 when `allowed` does not include it.
 */
export async function checkAccess(
  ctx: Context,
  caller: Caller,
  row: Pick<SessionRow, 'user_id' | 'builder_id' | 'status' | 'tool'> | undefined,
  allowed: Access[],
): Promise<Access> {
  const previewing = row?.status === 'waiting' && caller.role === 'builder' && row.user_id !== caller.userId
  const access = row ? accessOf(row, caller, previewing ? await toolsOf(ctx.store, caller.userId) : []) : null
  if (!row || !access) throw notFound('Session')
  if (!allowed.includes(access)) {
    throw forbidden(
      access === 'preview'
        ? 'Claim this session before taking part in it'
        : `Only the session's ${allowed.includes('owner') ? 'user' : 'builder'} can do this`,
    )
  }
  return access
}

/**
 * The wire shape of sessions, oldest work first: their places in the queue (for the waiting ones)
 * are read for all of them at once, so a page of sessions costs the same few queries as one.
 */
export async function describeSessions(ctx: Context, rows: SessionRecord[]): Promise<Session[]> {
  const queue = await queueInfos(ctx.store, rows)
  return rows.map((row) => toSession(ctx.config, row, queue.get(row.id) ?? null))
}

/** The wire shape of one session (see `describeSessions`). */
export async function describeSession(ctx: Context, row: SessionRecord): Promise<Session> {
  const [session] = await describeSessions(ctx, [row])
  return session as Session
}

/** The wire shape of a session row, given its place in the queue when it waits. */
export function toSession(
  config: Pick<Config, 'videoUrlTemplate'>,
  row: SessionRecord,
  queue: QueueInfo | null,
): Session {
  return {
    id: row.id,
    appId: row.app_id,
    tool: row.tool,
    topic: row.topic,
    context: row.context === null ? null : (JSON.parse(row.context) as Record<string, unknown>),
    kind: row.kind,
    status: row.status,
    user: { id: row.user_id, name: row.user_name },
    builder: row.builder_id ? { id: row.builder_id, name: row.builder_name ?? 'Builder' } : null,
    cost: row.cost,
    createdAt: row.created_at,
    assignedAt: row.assigned_at,
    closedAt: row.closed_at,
    rating: row.rating_score === null ? null : { score: row.rating_score, comment: row.rating_comment },
    lastSeq: row.last_seq,
    readSeq: { user: row.user_read_seq, builder: row.builder_read_seq },
    queue: row.status === 'waiting' ? queue : null,
    meetingUrl: row.kind === 'video' ? config.videoUrlTemplate.replace('{session}', row.id) : null,
  }
}

/** Checks a start request against server configuration (tool list, context size). */
export function checkStart(ctx: Context, input: StartSessionRequest): void {
  if (!ctx.config.tools.some((tool) => tool.id === input.tool)) {
    throw invalid(`Unknown tool "${input.tool}"; see GET /v1/tools`)
  }
  if (input.context && depthOf(input.context) > MAX_CONTEXT_DEPTH) {
    throw invalid(`Context is nested more than ${MAX_CONTEXT_DEPTH} levels deep`)
  }
  if (input.context && Buffer.byteLength(JSON.stringify(input.context)) > CONTEXT_LIMITS.totalBytes) {
    throw tooLarge(`Context is larger than ${CONTEXT_LIMITS.totalBytes / 1024} KB`)
  }
}

const MAX_CONTEXT_DEPTH = 16

/** Nesting depth of a JSON value, without recursion (a hostile value can be thousands deep). */
function depthOf(value: unknown): number {
  let deepest = 0
  const stack: [unknown, number][] = [[value, 1]]
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item
    if (typeof node !== 'object' || node === null) continue
    deepest = Math.max(deepest, depth)
    if (deepest > MAX_CONTEXT_DEPTH) break
    for (const child of Object.values(node)) stack.push([child, depth + 1])
  }
  return deepest
}

export function ensureOpen(row: Pick<SessionRow, 'status'>): void {
  if (row.status === 'closed' || row.status === 'cancelled') throw conflict(`Session is ${row.status}`)
}

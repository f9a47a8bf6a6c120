import type { ServerSessionsQuery, ServerSessionsResponse } from '@suportra/protocol/server-api'
import type { Context } from '../context.js'
import { invalid } from '../errors.js'
import { sessionMetaQuery, toServerSession } from '../webhooks/outbox.js'

const PAGE = 100

/**
 * `GET /v1/server/sessions`: the app's sessions, oldest first, as metadata only (the columns that
 * hold content — topic, context, rating comment — are never read into the answer). `since` keeps
 * those started at or after a time; `cursor` continues where the previous page ended.
 */
export async function listServerSessions(
  ctx: Context,
  appId: string,
  query: ServerSessionsQuery,
): Promise<ServerSessionsResponse> {
  const limit = query.limit === undefined ? PAGE : Number(query.limit)
  if (limit < 1 || limit > 500) throw invalid('limit must be from 1 to 500')
  let q = sessionMetaQuery(ctx.store.db).where('s.app_id', '=', appId)
  if (query.status) q = q.where('s.status', '=', query.status)
  if (query.since !== undefined) q = q.where('s.created_at', '>=', Number(query.since))
  if (query.cursor !== undefined) {
    const { at, id } = decodeCursor(query.cursor)
    q = q.where((eb) =>
      eb.or([eb('s.created_at', '>', at), eb.and([eb('s.created_at', '=', at), eb('s.id', '>', id)])]),
    )
  }
  const rows = await q
    .orderBy('s.created_at')
    .orderBy('s.id')
    .limit(limit + 1)
    .execute()
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    sessions: page.map(toServerSession),
    nextCursor: rows.length > limit && last ? encodeCursor(Number(last.created_at), last.id) : null,
  }
}

const encodeCursor = (at: number, id: string) => Buffer.from(`${at}:${id}`).toString('base64url')

function decodeCursor(cursor: string): { at: number; id: string } {
  const match = Buffer.from(cursor, 'base64url')
    .toString()
    .match(/^(\d{1,16}):([\w-]{1,100})$/)
  if (!match) throw invalid('cursor is not one this API gave')
  return { at: Number(match[1]), id: match[2] as string }
}

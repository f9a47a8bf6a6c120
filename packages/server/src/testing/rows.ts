import type { Kysely } from 'kysely'
import type { DB } from '../db/schema.js'
import { DEMO } from '../seed.js'

/** A waiting session written straight to the database: what a test needs of it is its place in the queue. */
export interface WaitingRow {
  id: string
  userId: string
  tool: string
  topic: string
  createdAt: number
}

/**
 * Inserts waiting chat sessions of the demo app, one credit each, in one statement, without holds,
 * events or notifications: for tests about the queue's order and size, where starting hundreds of
 * sessions through the API would only slow them down.
 */
export async function insertWaitingSessions(db: Kysely<DB>, rows: WaitingRow[]): Promise<void> {
  await db
    .insertInto('sessions')
    .values(
      rows.map((row) => ({
        id: row.id,
        user_id: row.userId,
        app_id: DEMO.appId,
        tool: row.tool,
        topic: row.topic,
        context: null,
        kind: 'chat' as const,
        status: 'waiting' as const,
        builder_id: null,
        cost: 1,
        idempotency_key: null,
        created_at: row.createdAt,
        assigned_at: null,
        closed_at: null,
        rating_score: null,
        rating_comment: null,
        transcript_deleted_at: null,
      })),
    )
    .execute()
}

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

/** What `insertMessages` appends to a session. */
export interface MessageRows {
  sessionId: string
  /** How many messages, with seq following the session's last one. */
  count: number
  userId: string
  builderId: string
  /** The body of the n-th message inserted (from 1); default `Message n`. */
  text?(n: number): string
}

/**
 * Appends `count` text messages to a session, the user and the builder taking turns, in one
 * transaction, and moves its `last_seq` on: for tests of long transcripts (10,000 messages), where
 * sending each through the API would only slow them down. No events or notifications go out.
 */
export async function insertMessages(db: Kysely<DB>, rows: MessageRows): Promise<void> {
  const { sessionId, count, userId, builderId, text = (n) => `Message ${n}` } = rows
  await db.transaction().execute(async (tx) => {
    const { last_seq } = await tx
      .selectFrom('sessions')
      .select('last_seq')
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow()
    const start = Date.now() - count * 1000
    const values = Array.from({ length: count }, (_, i) => {
      const seq = last_seq + i + 1
      const builder = i % 2 === 1
      return {
        id: `msg_test_${sessionId}_${seq}`,
        session_id: sessionId,
        seq,
        client_id: `m_test_${sessionId}_${seq}`,
        author: builder ? ('builder' as const) : ('user' as const),
        author_id: builder ? builderId : userId,
        kind: 'text' as const,
        body: text(i + 1),
        code_language: null,
        code_content: null,
        created_at: start + i * 1000,
      }
    })
    // SQLite binds at most 32,766 values per statement; 11 a row.
    for (let i = 0; i < values.length; i += 1000)
      await tx
        .insertInto('messages')
        .values(values.slice(i, i + 1000))
        .execute()
    await tx
      .updateTable('sessions')
      .set({ last_seq: last_seq + count })
      .where('id', '=', sessionId)
      .execute()
  })
}

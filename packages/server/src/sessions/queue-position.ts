import type { QueueInfo } from '@suportra/client/protocol'
import type { Context } from '../context.js'
import type { Database } from '../db/database.js'
import type { SessionRow } from '../db/schema.js'

/** Waiting users told at most per change; those further back hear at their next reload or change. */
const MAX_TOLD = 5_000

/** The median wait of the last 20 claimed sessions, in seconds; null before any claim. */
export async function expectedWait(store: Database): Promise<number | null> {
  const recent = await store.db
    .selectFrom('sessions')
    .select(['created_at', 'assigned_at'])
    .where('assigned_at', 'is not', null)
    .orderBy('assigned_at', 'desc')
    .limit(20)
    .execute()
  const waits = recent.map((r) => Number(r.assigned_at) - r.created_at).sort((a, b) => a - b)
  return waits.length > 0 ? Math.round((waits[Math.floor(waits.length / 2)] ?? 0) / 1000) : null
}

/** Position among all waiting sessions (oldest first), and the expected wait. */
export async function queueInfo(store: Database, row: SessionRow): Promise<QueueInfo> {
  const ahead = await store.db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'waiting')
    .where((eb) =>
      eb.or([
        eb('created_at', '<', row.created_at),
        eb.and([eb('created_at', '=', row.created_at), eb('id', '<', row.id)]),
      ]),
    )
    .executeTakeFirstOrThrow()
  return { position: Number(ahead.n) + 1, expectedWaitSeconds: await expectedWait(store) }
}

/**
 * Tells every waiting user their own place after the queue changed (a session was claimed or
 * withdrawn: everyone behind it moves up, and a claim changes the expected wait). Each user gets a
 * `position` event about their own session only — its id, position and expected wait, nothing about
 * the sessions ahead. A session that starts joins at the back, so it moves no one; its own place
 * comes with the answer to its start.
 *
 * Runs after the change committed, off the request's path. Changes that come while a round runs
 * are folded into one more round, so a burst (expiry cancelling a hundred sessions) costs two
 * rounds, not a hundred. Events go through the bus: with several instances, the users connected to
 * any of them hear it.
 */
export function queueChanged(ctx: Context): void {
  const state = rounds.get(ctx) ?? { running: false, again: false }
  rounds.set(ctx, state)
  if (state.running) {
    state.again = true
    return
  }
  state.running = true
  void (async () => {
    do {
      state.again = false
      try {
        await tellPositions(ctx)
      } catch (error) {
        // The database went away (shutdown) or failed: positions refresh at the next change or reload.
        ctx.log.warn({ err: error }, 'queue positions not sent')
      }
    } while (state.again)
    state.running = false
  })()
}

const rounds = new WeakMap<Context, { running: boolean; again: boolean }>()

async function tellPositions(ctx: Context): Promise<void> {
  const waiting = await ctx.store.db
    .selectFrom('sessions')
    .select(['id', 'user_id'])
    .where('status', '=', 'waiting')
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .limit(MAX_TOLD)
    .execute()
  if (waiting.length === 0) return
  const expectedWaitSeconds = await expectedWait(ctx.store)
  waiting.forEach((row, index) => {
    ctx.bus.publish({
      kind: 'event',
      users: [row.user_id],
      event: { type: 'position', sessionId: row.id, queue: { position: index + 1, expectedWaitSeconds } },
    })
  })
}

import type { QueueInfo } from '@suportra/protocol'
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

/**
 * The place of each waiting session among `rows` among all waiting sessions (oldest first), and
 * the expected wait: two queries however many rows (none when none waits). Keyed by session id.
 */
export async function queueInfos(
  store: Database,
  rows: readonly Pick<SessionRow, 'id' | 'status'>[],
): Promise<Map<string, QueueInfo>> {
  const ids = rows.filter((row) => row.status === 'waiting').map((row) => row.id)
  if (ids.length === 0) return new Map()
  const places = await store.db
    .selectFrom('sessions as s')
    .select((eb) => [
      's.id',
      eb
        .selectFrom('sessions as w')
        .select((w) => w.fn.countAll<number>().as('n'))
        .where('w.status', '=', 'waiting')
        .where((w) =>
          w.or([
            w('w.created_at', '<', w.ref('s.created_at')),
            w.and([w('w.created_at', '=', w.ref('s.created_at')), w('w.id', '<', w.ref('s.id'))]),
          ]),
        )
        .as('ahead'),
    ])
    .where('s.id', 'in', ids)
    .execute()
  const expectedWaitSeconds = await expectedWait(store)
  return new Map(
    places.map((place) => [place.id, { position: Number(place.ahead) + 1, expectedWaitSeconds }]),
  )
}

/** Waiting sessions before `key` in the queue. */
async function waitingAhead(store: Database, key: QueueKey): Promise<number> {
  const ahead = await store.db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'waiting')
    .where((eb) =>
      eb.or([
        eb('created_at', '<', key.created_at),
        eb.and([eb('created_at', '=', key.created_at), eb('id', '<', key.id)]),
      ]),
    )
    .executeTakeFirstOrThrow()
  return Number(ahead.n)
}

/** Where a session stands in the waiting order: oldest first, ties broken by id. */
export interface QueueKey {
  created_at: number
  id: string
}

/**
 * Tells the waiting users whose place changed because sessions left the queue (`left`: claimed,
 * cancelled, expired or withdrawn by a refund): those behind the first of them, each moving up.
 * Those ahead keep their place and hear nothing (a claim's new expected wait reaches them at their
 * next move or reload). Each user gets a `position` event about their own session only — its id,
 * position and expected wait, nothing about the sessions ahead. A session that starts joins at the
 * back, so it moves no one; its own place comes with the answer to its start.
 *
 * Runs after the change committed, off the request's path. Changes that come while a round runs are
 * folded into one more round from the earliest place left, so a burst (expiry cancelling a hundred
 * sessions) costs two rounds, not a hundred. A round is **one** bus message however many users it
 * tells (`personal`): with several instances it is one NOTIFY (in pieces of under 8000 bytes when
 * big, ~50 users each), not one per user, so a long queue cannot crowd other events out of the
 * bus's bounded queue.
 */
export function queueChanged(ctx: Context, left: QueueKey[]): void {
  const state = rounds.get(ctx) ?? { running: false, from: undefined }
  rounds.set(ctx, state)
  for (const key of left) if (!state.from || before(key, state.from)) state.from = key
  if (state.running || !state.from) return
  state.running = true
  void (async () => {
    for (let from = state.from; from; from = state.from) {
      state.from = undefined
      try {
        await tellPositions(ctx, from)
      } catch (error) {
        // The database went away (shutdown) or failed: positions refresh at the next change or reload.
        ctx.log.warn({ err: error }, 'queue positions not sent')
      }
    }
    state.running = false
  })()
}

const rounds = new WeakMap<Context, { running: boolean; from: QueueKey | undefined }>()

const before = (a: QueueKey, b: QueueKey) =>
  a.created_at < b.created_at || (a.created_at === b.created_at && a.id < b.id)

async function tellPositions(ctx: Context, from: QueueKey): Promise<void> {
  const { db } = ctx.store
  const behind = await db
    .selectFrom('sessions')
    .select(['id', 'user_id'])
    .where('status', '=', 'waiting')
    .where((eb) =>
      eb.or([
        eb('created_at', '>', from.created_at),
        eb.and([eb('created_at', '=', from.created_at), eb('id', '>', from.id)]),
      ]),
    )
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .limit(MAX_TOLD)
    .execute()
  if (behind.length === 0) return
  // Everyone still waiting ahead of the place that was left keeps their place.
  const start = (await waitingAhead(ctx.store, from)) + 1
  const expectedWaitSeconds = await expectedWait(ctx.store)
  ctx.bus.publish({
    kind: 'personal',
    events: behind.map((row, index) => ({
      userId: row.user_id,
      event: { type: 'position', sessionId: row.id, queue: { position: start + index, expectedWaitSeconds } },
    })),
  })
}

import type { Availability } from '@suportra/protocol'
import type { Context } from '../context.js'
import { notFound } from '../errors.js'
import { expectedWait } from '../sessions/queue-position.js'
import { isOpen, nextOpen, parseHours } from './hours.js'

/**
 * Whether anyone is there for `appId` (and `tool`, or any tool), now:
 * - `offline` outside the app's business hours (with `nextOpen`), or when no builder covering the
 *   tool is both available (the console's switch) and connected;
 * - `busy` when such builders are online but have no free slot left for a new session: each builder
 *   takes `builderSessionCapacity` active sessions at once, and the sessions already waiting for the
 *   tool take the free slots first;
 * - `online` otherwise.
 * `expectedWait` is the usual wait (the median of the last claimed sessions, as queue positions
 * give it), in seconds.
 */
export async function availabilityOf(
  ctx: Context,
  appId: string,
  tool: string | undefined,
  /** The builders connected to any instance, with their tools (`Presence.builders()`). */
  builders: ReadonlyMap<string, string[]>,
): Promise<Availability> {
  const app = await ctx.apps.get(appId)
  if (!app) throw notFound(`App ${appId}`)
  const now = Date.now()
  const wait = await expectedWait(ctx.store)
  const hours = parseHours(app.businessHours)
  if (hours && !isOpen(hours, now)) {
    const next = nextOpen(hours, now)
    return { status: 'offline', buildersOnline: 0, expectedWait: wait, nextOpen: next ?? null }
  }
  const connected = [...builders].filter(([, tools]) => tool === undefined || tools.includes(tool))
  const ids = connected.map(([id]) => id)
  const available =
    ids.length === 0
      ? []
      : await ctx.store.db
          .selectFrom('users')
          .select('id')
          .where('id', 'in', ids)
          .where('role', '=', 'builder')
          .where('available', '=', 1)
          .execute()
  if (available.length === 0)
    return { status: 'offline', buildersOnline: 0, expectedWait: wait, nextOpen: null }
  const online = available.map((row) => row.id)
  const { db } = ctx.store
  const active = await db
    .selectFrom('sessions')
    .select((eb) => ['builder_id', eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'active')
    .where('builder_id', 'in', online)
    .groupBy('builder_id')
    .execute()
  const tools = new Set(connected.filter(([id]) => online.includes(id)).flatMap(([, t]) => t))
  const waiting = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'waiting')
    .where('tool', 'in', tool === undefined ? [...tools, ''] : [tool])
    .executeTakeFirstOrThrow()
  const capacity = ctx.config.builderSessionCapacity
  const busy = new Map(active.map((row) => [row.builder_id, Number(row.n)]))
  const free = online.reduce((sum, id) => sum + Math.max(0, capacity - (busy.get(id) ?? 0)), 0)
  return {
    status: free > Number(waiting.n) ? 'online' : 'busy',
    buildersOnline: online.length,
    expectedWait: wait,
    nextOpen: null,
  }
}

import type { Context } from '../context.js'

/** Waiting sessions per tool and how long the oldest has waited (read at each metrics scrape). */
export async function queueByTool(
  ctx: Context,
): Promise<{ tool: string; waiting: number; oldestMs: number }[]> {
  const rows = await ctx.store.db
    .selectFrom('sessions')
    .select((eb) => ['tool', eb.fn.countAll<number>().as('waiting'), eb.fn.min('created_at').as('oldest')])
    .where('status', '=', 'waiting')
    .groupBy('tool')
    .execute()
  const now = Date.now()
  return rows.map((r) => ({
    tool: r.tool,
    waiting: Number(r.waiting),
    oldestMs: Math.max(0, now - Number(r.oldest)),
  }))
}

import type { Context } from '../context.js'
import { queueEmail } from '../email/outbox.js'
import { localeOf } from '../email/render.js'
import { builderReplied } from './template.js'

/** Sessions looked at per sweep. */
const BATCH = 100

/**
 * Emails a user whom a builder answered while they were away: no connected socket for
 * `awayEmailMs` (`users.seen_at`, kept by `availability/presence.ts`) and a builder's message,
 * unread and not yet emailed about (one that came just before they left counts too). One email per session per absence: `sessions.away_emailed_at` is
 * set with a conditional update in the email's transaction, so several instances sweeping at once
 * send it once, and the next one waits until the user has been seen again (`seen_at` past it).
 * Through the email outbox (retried, and in the local outbox in development).
 */
export async function sweepAway(ctx: Context, now = Date.now()): Promise<number> {
  const { db } = ctx.store
  const gone = now - ctx.config.awayEmailMs
  const rows = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('users as b', 'b.id', 's.builder_id')
    .select([
      's.id',
      's.user_id',
      's.tool',
      's.return_url',
      's.locale',
      'u.name',
      'u.email',
      'u.seen_at',
      'b.name as builder_name',
    ])
    .where('s.status', '=', 'active')
    .where('u.email', 'is not', null)
    .where((eb) => eb.or([eb('u.seen_at', 'is', null), eb('u.seen_at', '<', gone)]))
    .where((eb) =>
      eb.or([
        eb('s.away_emailed_at', 'is', null),
        eb('s.away_emailed_at', '<', eb.fn.coalesce('u.seen_at', eb.lit(0))),
      ]),
    )
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('messages as m')
          .select('m.id')
          .whereRef('m.session_id', '=', 's.id')
          .where('m.author', '=', 'builder')
          .whereRef('m.seq', '>', 's.user_read_seq')
          // Not yet told about: newer than this session's last away email. (Not "newer than the
          // user's last sighting": a socket whose close is noticed late keeps that clock moving past
          // a reply the user never read.)
          .where('m.created_at', '>', eb.fn.coalesce('s.away_emailed_at', eb.lit(0))),
      ),
    )
    .limit(BATCH)
    .execute()
  let sent = 0
  for (const row of rows) {
    const seen = row.seen_at ?? 0
    await ctx.store.transaction(async (tx) => {
      const claimed = await tx
        .updateTable('sessions')
        .set({ away_emailed_at: now })
        .where('id', '=', row.id)
        .where((eb) => eb.or([eb('away_emailed_at', 'is', null), eb('away_emailed_at', '<', seen)]))
        .executeTakeFirst()
      if (Number(claimed.numUpdatedRows) !== 1 || !row.email) return
      const tool = ctx.config.tools.find((t) => t.id === row.tool)?.name ?? row.tool
      await queueEmail(tx, {
        userId: row.user_id,
        to: row.email,
        kind: 'builder_replied',
        reference: row.id,
        // The language the question was asked in, before the account's.
        ...(row.locale && { locale: localeOf(row.locale) }),
        ...builderReplied({
          name: row.name,
          builder: row.builder_name ?? 'A builder',
          tool,
          returnUrl: row.return_url,
          sessionId: row.id,
        }),
      })
      sent++
    })
  }
  return sent
}

/** Runs `sweepAway` every quarter of `awayEmailMs` (between a quarter second and 15 seconds). */
export function startAwaySweep(ctx: Context): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined
  const every = Math.min(15_000, Math.max(250, ctx.config.awayEmailMs / 4))
  const timer = setInterval(() => {
    // One sweep at a time: a slow one is not joined by the next.
    running ??= sweepAway(ctx)
      .catch((err) => ctx.log.warn({ err }, 'away email sweep failed'))
      .finally(() => {
        running = undefined
      })
  }, every)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}

import * as z from 'zod/mini'

/**
 * Whether anyone is there to answer, for an app (and a tool): `GET /v1/availability?tool=` and the
 * realtime `availability` event.
 * - `online`: at least one builder covering the tool is available (the console's switch) and
 *   connected, and one of them has a free slot for a new session.
 * - `busy`: builders are online, but every free slot is already taken by someone waiting (a new
 *   question waits behind them).
 * - `offline`: no builder is available and connected, or the app's business hours are closed.
 */
export const Availability = z.object({
  status: z.enum(['online', 'busy', 'offline']),
  /** Builders covering the tool who are available and connected now. */
  buildersOnline: z.number(),
  /** The usual wait before a builder joins, in seconds (median of recent sessions); null before any. */
  expectedWait: z.nullable(z.number()),
  /**
   * Outside business hours: when they open next (epoch milliseconds); null otherwise. (Always
   * present, as every optional field of the protocol's responses: `z.optional` alone would cost
   * the client bundle its machinery.)
   */
  nextOpen: z.nullable(z.number()),
})
export type Availability = z.infer<typeof Availability>

/** `GET` and `POST /v1/builder/availability`: the builder's available/away switch. */
export const BuilderAvailability = z.object({ available: z.boolean() })
export const BuilderAvailabilityRequest = z.strictObject({ available: z.boolean() })

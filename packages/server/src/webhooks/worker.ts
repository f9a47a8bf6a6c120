import type { Context } from '../context.js'
import { sendWebhook } from './send.js'
import { signatureHeader } from './sign.js'

/** Deliveries looked at per pass. */
const BATCH = 100
/** The longest wait between two attempts. */
const MAX_DELAY_MS = 60 * 60_000
/** How long delivered events, and answers kept for idempotency keys, stay in the database. */
const KEEP_DELIVERED_MS = 30 * 24 * 60 * 60_000
const KEEP_IDEMPOTENCY_MS = 24 * 60 * 60_000
const CLEANUP_EVERY_MS = 60 * 60_000

/** Whether an instance may send private-network webhooks (development); see `WebhookConfig`. */
export const allowsPrivate = (ctx: Context) => ctx.config.webhooks.allowPrivate === true

/**
 * Sends the webhook outbox. Every pass takes the deliveries that are due, oldest first, and skips
 * those waiting behind an earlier undelivered event of the same session for the same endpoint (in
 * order per session). Each attempt first leases its delivery with a conditional update that moves
 * `next_attempt_at` past the send's timeout, so with several instances on one database each attempt
 * is made by one instance; an instance killed mid-send leaves the lease to run out, and another (or
 * the restarted one) sends the event again with the same id: at least once. A failure is retried
 * after 30 s, 1 min, 2 min… (doubling, at most an hour apart) for 24 hours, then marked failed.
 */
export class WebhookWorker {
  readonly #ctx: Context
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #cleanedAt = 0
  readonly #stopping = new AbortController()

  constructor(ctx: Context) {
    this.#ctx = ctx
  }

  start(): void {
    this.#timer = setInterval(
      () => this.flush().catch((error) => this.#ctx.log.error({ err: String(error) }, 'webhook pass failed')),
      this.#ctx.config.webhooks.intervalMs,
    )
    this.#timer.unref()
  }

  /**
   * Shutdown: stops the timer and lets the pass under way finish before `deadline` (epoch ms); sends
   * still in flight then are abandoned as `stop()` does (their leases run out; they are sent later).
   */
  async drain(deadline: number): Promise<void> {
    clearInterval(this.#timer)
    const timer = setTimeout(() => this.#stopping.abort(), Math.max(0, deadline - Date.now()))
    try {
      await this.#running?.catch(() => {})
    } finally {
      clearTimeout(timer)
      this.#stopping.abort()
    }
  }

  /** Stops the timer and abandons sends in flight (their leases run out; they are sent again later). */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#stopping.abort()
    await this.#running?.catch(() => {})
  }

  /** Sends every delivery that is due (one pass; concurrent calls share it). */
  flush(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  async #pass(): Promise<void> {
    const { db } = this.#ctx.store
    const now = Date.now()
    const due = await db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
      .innerJoin('webhook_endpoints as p', 'p.id', 'd.endpoint_id')
      .select([
        'd.id',
        'd.endpoint_id',
        'd.order_key',
        'd.attempts',
        'd.next_attempt_at',
        'd.created_at',
        'e.id as event_id',
        'e.type',
        'e.payload',
        'p.url',
        'p.secret',
      ])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('webhook_deliveries as before')
              .select('before.id')
              .whereRef('before.endpoint_id', '=', 'd.endpoint_id')
              .whereRef('before.order_key', '=', 'd.order_key')
              .whereRef('before.order_seq', '<', 'd.order_seq')
              .where('before.status', '=', 'pending'),
          ),
        ),
      )
      .orderBy('d.created_at')
      .orderBy('d.order_seq')
      .limit(BATCH)
      .execute()
    // One endpoint's deliveries one after another (in order), different endpoints side by side.
    const byEndpoint = new Map<string, typeof due>()
    for (const delivery of due) {
      const list = byEndpoint.get(delivery.endpoint_id) ?? []
      list.push(delivery)
      byEndpoint.set(delivery.endpoint_id, list)
    }
    await Promise.all(
      [...byEndpoint.values()].map(async (list) => {
        const failed = new Set<string | null>()
        for (const delivery of list) {
          // A session whose earlier event just failed waits for that one's retry.
          if (delivery.order_key !== null && failed.has(delivery.order_key)) continue
          if (this.#stopping.signal.aborted) return
          const ok = await this.#attempt(delivery)
          if (!ok && delivery.order_key !== null) failed.add(delivery.order_key)
        }
      }),
    )
    if (now - this.#cleanedAt > CLEANUP_EVERY_MS) await this.#cleanup(now)
  }

  /** One attempt: lease, send, record. True when delivered. */
  async #attempt(delivery: {
    id: string
    attempts: number
    next_attempt_at: number
    created_at: number
    event_id: string
    type: string
    payload: string
    url: string
    secret: string
  }): Promise<boolean> {
    const { db } = this.#ctx.store
    const config = this.#ctx.config.webhooks
    const leased = await db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: Date.now() + 2 * config.timeoutMs + 1_000, attempts: delivery.attempts + 1 })
      .where('id', '=', delivery.id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', delivery.next_attempt_at)
      .executeTakeFirst()
    if (leased.numUpdatedRows === 0n) return false
    const result = await sendWebhook({
      url: delivery.url,
      body: delivery.payload,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Suportra-Webhooks/1.0',
        'suportra-signature': signatureHeader(delivery.secret, delivery.payload),
      },
      timeoutMs: config.timeoutMs,
      allowPrivate: allowsPrivate(this.#ctx),
      signal: this.#stopping.signal,
    })
    const attempts = delivery.attempts + 1
    if (result.ok) {
      await db
        .updateTable('webhook_deliveries')
        .set({ status: 'delivered', delivered_at: Date.now(), last_status: result.status, last_error: null })
        .where('id', '=', delivery.id)
        .execute()
      return true
    }
    // Shutting down: leave the lease to run out; the event is sent again after the restart.
    if (this.#stopping.signal.aborted) return false
    const delay = Math.min(config.retryBaseMs * 2 ** (attempts - 1), MAX_DELAY_MS)
    const next = Date.now() + delay
    const givingUp = next > Number(delivery.created_at) + config.retryForMs
    await db
      .updateTable('webhook_deliveries')
      .set({
        status: givingUp ? 'failed' : 'pending',
        next_attempt_at: next,
        last_status: result.status,
        last_error: result.error,
      })
      .where('id', '=', delivery.id)
      .execute()
    this.#ctx.log.warn(
      {
        deliveryId: delivery.id,
        eventId: delivery.event_id,
        type: delivery.type,
        attempts,
        err: result.error,
      },
      givingUp ? 'webhook failed for good' : 'webhook not delivered; will retry',
    )
    return false
  }

  /** Forgets delivered events after 30 days and idempotency answers after 24 hours. */
  async #cleanup(now: number): Promise<void> {
    this.#cleanedAt = now
    const { db } = this.#ctx.store
    await db
      .deleteFrom('webhook_deliveries')
      .where('status', '!=', 'pending')
      .where('created_at', '<', now - KEEP_DELIVERED_MS)
      .execute()
    await db
      .deleteFrom('webhook_events')
      .where('created_at', '<', now - KEEP_DELIVERED_MS)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('webhook_deliveries as d')
              .select('d.id')
              .whereRef('d.event_id', '=', 'webhook_events.id'),
          ),
        ),
      )
      .execute()
    await db
      .deleteFrom('idempotency_keys')
      .where('created_at', '<', now - KEEP_IDEMPOTENCY_MS)
      .execute()
  }
}

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** What a scrape reads from the live server (sockets) and the database (the queue) at that moment. */
export interface MetricsSources {
  /** Open realtime sockets on this instance, by role (`unauthenticated` until the first frame). */
  sockets(): Record<'unauthenticated' | 'user' | 'builder', number>
  /** Waiting sessions by tool (the whole database: every instance reports the same queue). */
  queue(): Promise<{ tool: string; waiting: number; oldestMs: number }[]>
}

/**
 * The server's Prometheus metrics (prom-client), one registry per server so several servers in one
 * process (the tests) never share counts. Domain code adds to the counters here; anything else may
 * register its own on `registry` (`new Counter({ …, registers: [metrics.registry] })`). Read through
 * `GET /metrics` (see `metrics-routes.ts`), which is off unless a token or a metrics port is set.
 */
export class Metrics {
  readonly registry = new Registry()
  readonly #registers = [this.registry]
  /** HTTP requests by method, route pattern (`/v1/sessions/:id`, never the raw path) and status. */
  readonly httpRequests = new Counter({
    name: 'suportra_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: this.#registers,
  })
  readonly httpDuration = new Histogram({
    name: 'suportra_http_request_duration_seconds',
    help: 'HTTP request latency, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: this.#registers,
  })
  /** Messages stored, by author (`user`, `builder`, `system`). */
  readonly messagesSent = new Counter({
    name: 'suportra_messages_sent_total',
    help: 'Messages stored, by author',
    labelNames: ['author'] as const,
    registers: this.#registers,
  })
  /** Credit holds: placed when a session starts, captured when a builder joins, released otherwise. */
  readonly holds = new Counter({
    name: 'suportra_holds_total',
    help: 'Credit holds placed, captured and released',
    labelNames: ['outcome'] as const,
    registers: this.#registers,
  })
  /** How long sessions waited for a builder, observed when one joins. */
  readonly queueWait = new Histogram({
    name: 'suportra_queue_wait_seconds',
    help: 'Time from a session starting to a builder joining it, by tool',
    labelNames: ['tool'] as const,
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800],
    registers: this.#registers,
  })
  /** Emails handed to the provider, kept in the local outbox, failed attempts and given up. */
  readonly emails = new Counter({
    name: 'suportra_email_deliveries_total',
    help: 'Email delivery attempts by outcome (sent, kept in the local outbox, failed attempt, given up)',
    labelNames: ['outcome', 'transport'] as const,
    registers: this.#registers,
  })
  /** Refusals by a rate limit: HTTP 429 by route, realtime 4029 closes as `realtime`. */
  readonly rateLimited = new Counter({
    name: 'suportra_rate_limited_total',
    help: 'Requests and sockets refused by a rate limit, by route (realtime for sockets)',
    labelNames: ['route'] as const,
    registers: this.#registers,
  })

  #defaults = false

  /** Gauges read at scrape time from `sources`: sockets by role, queue length and oldest wait by tool. */
  observe(sources: MetricsSources): void {
    new Gauge({
      name: 'suportra_sockets_open',
      help: 'Open realtime sockets on this instance, by role',
      labelNames: ['role'] as const,
      registers: this.#registers,
      collect() {
        for (const [role, n] of Object.entries(sources.sockets())) this.set({ role }, n)
      },
    })
    const oldest = new Gauge({
      name: 'suportra_queue_oldest_wait_seconds',
      help: 'How long the longest-waiting session has waited, by tool (whole database)',
      labelNames: ['tool'] as const,
      registers: [],
    })
    new Gauge({
      name: 'suportra_queue_length',
      help: 'Sessions waiting for a builder, by tool (whole database)',
      labelNames: ['tool'] as const,
      registers: this.#registers,
      // One query fills both gauges; `oldest` is registered after this one, so it is read after.
      async collect() {
        const rows = await sources.queue()
        this.reset()
        oldest.reset()
        for (const row of rows) {
          this.set({ tool: row.tool }, row.waiting)
          oldest.set({ tool: row.tool }, row.oldestMs / 1000)
        }
      },
    })
    this.registry.registerMetric(oldest)
  }

  /**
   * Process metrics (CPU, memory, event-loop lag as `suportra_nodejs_eventloop_lag_*`): on only when
   * metrics are served, since they keep an event-loop monitor running.
   */
  collectProcessMetrics(): void {
    if (this.#defaults) return
    this.#defaults = true
    collectDefaultMetrics({ register: this.registry, prefix: 'suportra_' })
  }
}

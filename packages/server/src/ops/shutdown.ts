/** Requests being served right now, so a shutdown can wait for them; `closing` once it began. */
export class InFlight {
  /** Set when shutdown begins: `/ready` answers 503 so load balancers stop sending traffic. */
  closing = false
  #count = 0
  #waiters: (() => void)[] = []

  get count(): number {
    return this.#count
  }

  started(): void {
    this.#count++
  }

  finished(): void {
    if (--this.#count > 0) return
    for (const resolve of this.#waiters.splice(0)) resolve()
  }

  /** Resolves once no request is in flight, or at `deadline` (epoch ms), whichever comes first. */
  async settled(deadline: number): Promise<boolean> {
    if (this.#count === 0) return true
    let timer: NodeJS.Timeout | undefined
    const idle = new Promise<true>((resolve) => this.#waiters.push(() => resolve(true)))
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))
    })
    const result = await Promise.race([idle, late])
    clearTimeout(timer)
    return result
  }
}

/** Work the server does in the background (an outbox sender): finished, as far as it can be, at shutdown. */
export interface BackgroundWorker {
  /** For the shutdown log line. */
  name: string
  /**
   * Stops taking new work and finishes what is in flight before `deadline` (epoch ms); whatever is
   * left must stay safe to pick up by another instance or the next start (an outbox row, not memory).
   */
  drain(deadline: number): Promise<void>
}

/**
 * The background workers of one server. Register one with `ctx.background.register(worker)`; at
 * SIGTERM (or `server.close()`) each is drained in parallel up to the shutdown deadline, after
 * in-flight requests finished and before the database closes.
 */
export class Background {
  readonly #workers = new Set<BackgroundWorker>()

  register(worker: BackgroundWorker): () => void {
    this.#workers.add(worker)
    return () => this.#workers.delete(worker)
  }

  /** Drains every worker; one that throws or runs past the deadline is reported in the result. */
  async drain(deadline: number): Promise<{ name: string; ok: boolean }[]> {
    return Promise.all(
      [...this.#workers].map(async (worker) => {
        let timer: NodeJS.Timeout | undefined
        const late = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()) + 50)
        })
        const ok = await Promise.race([
          worker.drain(deadline).then(
            () => true,
            () => false,
          ),
          late,
        ])
        clearTimeout(timer)
        return { name: worker.name, ok }
      }),
    )
  }
}

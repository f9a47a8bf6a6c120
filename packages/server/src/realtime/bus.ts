import type { RealtimeEvent } from '@suportra/protocol'

/** An event for one user only. */
export interface PersonalEvent {
  userId: string
  event: RealtimeEvent
}

/**
 * What crosses the bus: an event for some users (and/or the builders who cover `builders.tool`:
 * each instance filters its own sockets), events each for one user, or a revoked sign-in.
 * `resync` never crosses: a bus raises it locally when it may have missed messages (its link to
 * the other instances broke), and every socket should resume from the database.
 */
export type BusMessage =
  | {
      kind: 'event'
      users: string[]
      builders?: { tool: string }
      event: RealtimeEvent
      /** `event` as JSON, when the publisher has it already (it is written to every socket as is; local only). */
      data?: string
    }
  /** Each user their own event (queue positions): one message however many users, not one each. */
  | { kind: 'personal'; events: PersonalEvent[] }
  | { kind: 'revoke'; userId: string; familyIds: string[] }
  /**
   * The builders connected to one instance (all of them, each time: a snapshot), sent on every
   * change and refreshed every `presenceRefreshMs`; `builders: []` when it stops. An instance
   * silent for three refreshes is forgotten (it died). See `availability/presence.ts`.
   */
  | { kind: 'presence'; instance: string; builders: { id: string; tools: string[] }[] }
  /** Something availability depends on changed (a builder's switch, an app's hours): recompute. */
  | { kind: 'availability' }
  | { kind: 'resync' }

/**
 * Carries realtime notifications from the code that changed the database to the sockets that
 * must hear of it. In one process it is a direct call; with several instances it becomes a
 * channel between them (PostgreSQL LISTEN/NOTIFY, `pg-bus.ts`) behind this same interface.
 * `publish` delivers to this process's listeners at once and never throws.
 */
export interface EventBus {
  publish(message: BusMessage): void
  subscribe(listener: (message: BusMessage) => void): () => void
  /** Whether the link to the other instances is up (readiness); absent when there is no link. */
  connected?(): boolean
  /** Sends what is still queued and releases the bus's connection, if it has one. */
  close?(): Promise<void>
}

export class LocalBus implements EventBus {
  readonly #listeners = new Set<(message: BusMessage) => void>()

  publish(message: BusMessage): void {
    for (const listener of this.#listeners) listener(message)
  }

  subscribe(listener: (message: BusMessage) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}

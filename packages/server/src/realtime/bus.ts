import type { RealtimeEvent } from '@suportra/client/protocol'

/** What crosses the bus: an event for some users (and/or every builder), or a revoked sign-in. */
export type BusMessage =
  | { kind: 'event'; users: string[]; builders?: boolean; event: RealtimeEvent }
  | { kind: 'revoke'; userId: string; familyIds: string[] }

/**
 * Carries realtime notifications from the code that changed the database to the sockets that
 * must hear of it. In one process it is a direct call; with several instances it becomes a
 * channel between them (PostgreSQL LISTEN/NOTIFY) behind this same interface.
 */
export interface EventBus {
  publish(message: BusMessage): void
  subscribe(listener: (message: BusMessage) => void): () => void
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

/** A typed event emitter. Consumers get only `on`; the owner keeps `emit`. */
export function createEmitter<Events extends Record<string, unknown>>() {
  const listeners = new Map<keyof Events, Set<(payload: never) => void>>()
  return {
    on<K extends keyof Events>(name: K, listener: (payload: Events[K]) => void): () => void {
      const set = listeners.get(name) ?? new Set()
      listeners.set(name, set)
      set.add(listener)
      return () => {
        set.delete(listener)
      }
    },
    emit<K extends keyof Events>(name: K, payload: Events[K]): void {
      for (const listener of listeners.get(name) ?? []) {
        try {
          ;(listener as (payload: Events[K]) => void)(payload)
        } catch (error) {
          // A throwing listener must not break delivery to the others.
          setTimeout(() => {
            throw error
          })
        }
      }
    },
    clear(): void {
      listeners.clear()
    },
  }
}
export type Emitter<Events extends Record<string, unknown>> = ReturnType<typeof createEmitter<Events>>

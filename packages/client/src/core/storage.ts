/** What the client needs from a storage: the Web Storage subset. */
export interface StorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

export type StorageOption = 'local' | 'session' | 'memory' | StorageLike

/** An in-memory storage; pass the same one to several clients to share a sign-in. */
export function memoryStorage(): StorageLike {
  const map = new Map<string, string>()
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  }
}

/** The chosen storage; memory when browser storage is missing or blocked (e.g. in a sandboxed frame). */
export function resolveStorage(option: StorageOption = 'local'): StorageLike {
  if (typeof option === 'object') return option
  try {
    const web = option !== 'memory' && (globalThis as Record<string, unknown>)[`${option}Storage`]
    if (web) return web as StorageLike
  } catch {}
  return memoryStorage()
}

/** A JSON value in storage under `key`, parsed once per distinct raw string. */
export function storedValue<T>(storage: StorageLike, key: string) {
  let raw: string | null = null
  let parsed: T | undefined
  return {
    get(): T | undefined {
      const now = storage.getItem(key)
      if (now !== raw) {
        raw = now
        try {
          parsed = JSON.parse(now as string) ?? undefined
        } catch {
          parsed = undefined
        }
      }
      return parsed
    },
    set(value: T | undefined): void {
      try {
        if (value === undefined) storage.removeItem(key)
        else storage.setItem(key, JSON.stringify(value))
      } catch {
        // Quota exceeded or storage blocked: keep working, just not persisted.
      }
    },
  }
}

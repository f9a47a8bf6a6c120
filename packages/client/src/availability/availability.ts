import { Availability } from '@suportra/protocol'
import { atom, type ReadableAtom } from 'nanostores'
import type { SuportraClient } from '../client.js'
import { liveStore } from '../core/live-store.js'

export type { Availability }

/**
 * `@suportra/client/availability`: whether builders are there, before anyone spends anything —
 * `{ status: 'online' | 'busy' | 'offline', buildersOnline, expectedWait, nextOpen }`, undefined until
 * loaded. Loads when watched (signed out too: `GET /v1/availability` needs no sign-in); for a signed-in
 * user it follows the realtime `availability` event (watching holds the connection) and reloads at
 * each reconnect. Its own entry so the core client stays within its 12 kB budget.
 *
 * ```ts
 * const $availability = availabilityStore(client, { baseUrl, appId })
 * $availability.subscribe((a) => a && console.log(a.status))
 * ```
 */
export function availabilityStore(
  client: SuportraClient,
  options: { baseUrl: string; appId: string; fetch?: typeof fetch; tool?: string },
): ReadableAtom<Availability | undefined> {
  const $availability = atom<Availability | undefined>()
  const set = (value: unknown) => {
    const parsed = Availability.safeParse(value)
    if (parsed.success) $availability.set(parsed.data)
  }
  const load = async () => {
    const url = new URL(`${options.baseUrl.replace(/\/$/, '')}/v1/availability`)
    if (options.tool) url.searchParams.set('tool', options.tool)
    try {
      const response = await (options.fetch ?? fetch)(url, { headers: { 'x-suportra-app': options.appId } })
      if (response.ok) set(await response.json())
    } catch {
      // Offline or refused: the last value stays; the next reconnect or watch tries again.
    }
  }
  // Loaded and following the events while watched, as the client's own live stores.
  liveStore($availability, {
    load,
    retain() {
      const offs = [
        client.on('availability', (event) => set(event.availability)),
        client.on('connection', (change) => change.current === 'open' && load()),
      ]
      return () => {
        for (const off of offs) off()
      }
    },
  })
  return $availability
}

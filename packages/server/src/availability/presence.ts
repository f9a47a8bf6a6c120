import { randomBytes } from 'node:crypto'
import type { RealtimeEvent } from '@suportra/protocol'
import type { Caller } from '../caller.js'
import type { Context } from '../context.js'
import type { BusMessage } from '../realtime/bus.js'
import type { Hub } from '../realtime/hub.js'
import { availabilityOf } from './availability.js'

/** Changes within this window are folded into one recomputation. */
const SETTLE_MS = 150
/** Users whose `seen_at` one statement refreshes. */
const SEEN_CHUNK = 500

const registry = new WeakMap<Context, Presence>()

/** This instance's presence (made by its realtime hub); undefined without a hub. */
export const presenceOf = (ctx: Context): Presence | undefined => registry.get(ctx)

/**
 * Who is connected, for availability: the builders with a socket on this instance (in memory), the
 * snapshots other instances send over the bus (`presence` messages, refreshed every
 * `presenceRefreshMs`, forgotten after three silent refreshes), and when each user last had a
 * socket (`users.seen_at`, the away email's clock). The builders' available/away switch is a
 * column (`users.available`): a builder counts while available and connected.
 *
 * When anything availability depends on changes (a builder connects or leaves here or elsewhere,
 * a switch, a session enters or leaves the queue or is claimed or closed), the availability of each
 * app with users connected here is recomputed and, if it changed, pushed to them as an
 * `availability` event: each instance tells its own sockets.
 */
export class Presence {
  readonly #ctx: Context
  readonly #push: (appId: string, event: RealtimeEvent) => void
  readonly #instance = randomBytes(6).toString('base64url')
  /** Builders connected here: sockets per user and the tools they cover. */
  readonly #builders = new Map<string, { sockets: number; tools: string[] }>()
  readonly #remote = new Map<string, { at: number; builders: { id: string; tools: string[] }[] }>()
  /** Users (not builders) connected here: sockets per user, and per app. */
  readonly #users = new Map<string, number>()
  readonly #apps = new Map<string, number>()
  /** What each app's users were last told, as JSON. */
  readonly #told = new Map<string, string>()
  readonly #unsubscribe: () => void
  readonly #refresh: NodeJS.Timeout
  #settle: NodeJS.Timeout | undefined
  #closed = false
  /** Counts the changes heard: an availability computed at another count may be stale. */
  generation = 0

  /** Follows `hub`'s sockets and tells its users of changes. */
  constructor(ctx: Context, hub: Hub) {
    this.#ctx = ctx
    this.#push = (appId, event) => hub.toApp(appId, event)
    hub.onSocket = (change, caller, tools) =>
      change === 'opened' ? this.opened(caller, tools) : this.closed(caller)
    registry.set(ctx, this)
    this.#unsubscribe = ctx.bus.subscribe((message) => this.#hear(message))
    this.#refresh = setInterval(() => {
      this.#announce()
      this.#seen([...this.#users.keys()])
      this.#changed()
    }, ctx.config.presenceRefreshMs)
    this.#refresh.unref()
  }

  /** A socket authenticated. */
  opened(caller: Caller, tools: ReadonlySet<string>): void {
    if (caller.role === 'builder') {
      const entry = this.#builders.get(caller.userId) ?? { sockets: 0, tools: [...tools] }
      entry.sockets++
      this.#builders.set(caller.userId, entry)
      if (entry.sockets === 1) this.#announce()
    } else {
      const first = !this.#users.has(caller.userId)
      this.#users.set(caller.userId, (this.#users.get(caller.userId) ?? 0) + 1)
      this.#apps.set(caller.appId, (this.#apps.get(caller.appId) ?? 0) + 1)
      if (first) this.#seen([caller.userId])
    }
  }

  /** An authenticated socket closed. */
  closed(caller: Caller): void {
    if (caller.role === 'builder') {
      const entry = this.#builders.get(caller.userId)
      if (!entry) return
      if (--entry.sockets > 0) return
      this.#builders.delete(caller.userId)
      this.#announce()
      return
    }
    const left = (this.#users.get(caller.userId) ?? 1) - 1
    if (left > 0) this.#users.set(caller.userId, left)
    else {
      this.#users.delete(caller.userId)
      this.#seen([caller.userId])
    }
    const sockets = (this.#apps.get(caller.appId) ?? 1) - 1
    if (sockets > 0) this.#apps.set(caller.appId, sockets)
    else {
      this.#apps.delete(caller.appId)
      this.#told.delete(caller.appId)
    }
  }

  /** The builders connected to any instance, with the tools each covers. */
  builders(): Map<string, string[]> {
    const all = new Map<string, string[]>()
    const stale = Date.now() - 3 * this.#ctx.config.presenceRefreshMs
    for (const [instance, snapshot] of this.#remote) {
      if (snapshot.at < stale) this.#remote.delete(instance)
      else for (const b of snapshot.builders) all.set(b.id, b.tools)
    }
    for (const [id, { tools }] of this.#builders) all.set(id, tools)
    return all
  }

  /** Stops: tells the other instances this one's builders are gone. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#refresh)
    clearTimeout(this.#settle)
    this.#builders.clear()
    this.#announce()
    this.#unsubscribe()
    const users = [...this.#users.keys()]
    this.#users.clear()
    this.#seen(users)
  }

  #announce() {
    const builders = [...this.#builders].map(([id, { tools }]) => ({ id, tools }))
    this.#ctx.bus.publish({ kind: 'presence', instance: this.#instance, builders })
  }

  #hear(message: BusMessage) {
    if (message.kind === 'presence') {
      if (message.instance === this.#instance) return this.#changed()
      const known = this.#remote.get(message.instance)
      const same = known && JSON.stringify(known.builders) === JSON.stringify(message.builders)
      this.#remote.set(message.instance, { at: Date.now(), builders: message.builders })
      if (!same) this.#changed()
    } else if (message.kind === 'availability') this.#changed()
    else if (message.kind === 'event' && (message.event.type === 'session' || message.event.type === 'queue'))
      this.#changed()
  }

  /** Recomputes, shortly, the availability of every app with users here; pushes what changed. */
  #changed() {
    this.generation++
    if (this.#settle || this.#closed || this.#apps.size === 0) return
    this.#settle = setTimeout(() => {
      this.#settle = undefined
      this.#tell().catch((err) => this.#ctx.log.warn({ err }, 'availability not pushed'))
    }, SETTLE_MS)
    this.#settle.unref()
  }

  async #tell() {
    for (const appId of [...this.#apps.keys()]) {
      const availability = await availabilityOf(this.#ctx, appId, undefined, this.builders())
      const json = JSON.stringify(availability)
      if (this.#told.get(appId) === json || !this.#apps.has(appId)) continue
      this.#told.set(appId, json)
      this.#push(appId, { type: 'availability', availability })
    }
  }

  /** Records that these users had a socket until now (the away email's clock). */
  #seen(userIds: string[]) {
    const now = Date.now()
    for (let i = 0; i < userIds.length; i += SEEN_CHUNK) {
      const chunk = userIds.slice(i, i + SEEN_CHUNK)
      this.#ctx.store.db
        .updateTable('users')
        .set({ seen_at: now })
        .where('id', 'in', chunk)
        .execute()
        .catch((err) => this.#ctx.log.warn({ err }, 'seen_at not recorded'))
    }
  }
}

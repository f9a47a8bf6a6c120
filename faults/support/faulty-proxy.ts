import net from 'node:net'
import type { Random } from './sizes.js'

/**
 * What the proxy can do to a connection:
 * - `drop`: reset both sides at once (a router reboot, a NAT table flush);
 * - `stall`: hold every byte in both directions for a while, then deliver it late (congestion, a
 *   train in a tunnel); some stalls outlast the client's silence timeout;
 * - `half-open`: one direction goes into a black hole for good and its close is never passed on, so
 *   one side believes the connection is alive (a peer that vanished without FIN or RST);
 * - `refuse`: the next new connection is reset as soon as it arrives.
 */
export type FaultKind = 'drop' | 'stall' | 'half-open' | 'refuse'
export const FAULT_KINDS: FaultKind[] = ['drop', 'stall', 'half-open', 'refuse']

type Flow = 'flow' | 'held' | 'lost'

interface Link {
  client: net.Socket
  upstream: net.Socket
  /** client → server, server → client */
  up: Flow
  down: Flow
  heldUp: Buffer[]
  heldDown: Buffer[]
  /** A side closed while its direction was held: the close is passed on when the stall ends. */
  endUp: boolean
  endDown: boolean
  timer?: NodeJS.Timeout
}

export interface FaultyProxy {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Faults injected so far, by kind. */
  counts: Record<FaultKind, number>
  /** Connections accepted so far. */
  accepted(): number
  /** Connections open now. */
  open(): number
  /**
   * Injects one fault into a random open connection (`refuse` waits for the next new one, and is
   * counted when it hits). False when there was no connection to hit.
   */
  inject(kind: FaultKind): boolean
  /**
   * Every open connection goes silent in both directions for good, and no close is passed on (the
   * machine slept and woke on another network); new connections work. Returns how many were hit.
   */
  blackhole(): number
  /** Holds every connection, open and new, until `thaw()` (the whole network goes quiet). */
  freeze(): void
  thaw(): void
  close(): Promise<void>
}

/**
 * A TCP proxy on loopback that injects network faults between clients and the real server. Bytes
 * are forwarded as they are (HTTP and WebSocket alike); faults act on whole connections.
 */
export async function startFaultyProxy(
  target: () => number,
  random: Random,
  options: { stallMs?: [number, number]; longStallMs?: [number, number]; longStallChance?: number } = {},
): Promise<FaultyProxy> {
  const links = new Set<Link>()
  const counts: Record<FaultKind, number> = { drop: 0, stall: 0, 'half-open': 0, refuse: 0 }
  let refuseNext = 0
  let frozen = false
  let accepted = 0
  const [stallMin, stallMax] = options.stallMs ?? [50, 2_000]
  const [longMin, longMax] = options.longStallMs ?? [11_000, 16_000]

  const write = (to: net.Socket, from: net.Socket, chunk: Buffer) => {
    if (to.destroyed) return
    if (!to.write(chunk)) {
      from.pause()
      to.once('drain', () => from.resume())
    }
  }

  /** Ends a link; the client is closed gracefully (after what was written to it) or at once. */
  const finish = (link: Link, gracefully = false) => {
    links.delete(link)
    clearTimeout(link.timer)
    if (gracefully) link.client.end()
    else link.client.destroy()
    link.upstream.destroy()
  }

  const release = (link: Link) => {
    clearTimeout(link.timer)
    if (link.up === 'held') {
      link.up = 'flow'
      for (const chunk of link.heldUp.splice(0)) write(link.upstream, link.client, chunk)
      if (link.endUp) return finish(link)
    }
    if (link.down === 'held') {
      link.down = 'flow'
      for (const chunk of link.heldDown.splice(0)) write(link.client, link.upstream, chunk)
      if (link.endDown) return finish(link, true)
    }
  }

  const hold = (link: Link) => {
    if (link.up === 'flow') link.up = 'held'
    if (link.down === 'flow') link.down = 'held'
  }

  const server = net.createServer((client) => {
    accepted++
    client.on('error', () => {})
    if (refuseNext > 0) {
      refuseNext--
      counts.refuse++
      client.resetAndDestroy()
      return
    }
    const upstream = net.connect(target(), '127.0.0.1')
    upstream.on('error', () => {})
    const link: Link = {
      client,
      upstream,
      up: 'flow',
      down: 'flow',
      heldUp: [],
      heldDown: [],
      endUp: false,
      endDown: false,
    }
    if (frozen) hold(link)
    links.add(link)
    client.on('data', (chunk: Buffer) => {
      if (link.up === 'flow') write(upstream, client, chunk)
      else if (link.up === 'held') link.heldUp.push(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (link.down === 'flow') write(client, upstream, chunk)
      else if (link.down === 'held') link.heldDown.push(chunk)
    })
    // A close travels like data: late after a stall, never through a black hole (the other side
    // keeps a connection to nobody until its own timeouts notice).
    client.on('close', () => {
      if (link.up === 'flow') finish(link)
      else if (link.up === 'held') link.endUp = true
      else if (upstream.destroyed) finish(link)
    })
    upstream.on('close', () => {
      if (link.down === 'flow') finish(link, true)
      else if (link.down === 'held') link.endDown = true
      else if (client.destroyed) finish(link)
    })
  })

  const pickLink = (): Link | undefined => {
    const open = [...links].filter((l) => l.up !== 'lost' && l.down !== 'lost')
    return open.length ? random.pick(open) : undefined
  }

  const proxy: FaultyProxy = {
    url: '',
    counts,
    accepted: () => accepted,
    open: () => links.size,
    inject(kind) {
      if (kind === 'refuse') {
        refuseNext++
        return true
      }
      const link = pickLink()
      if (!link) return false
      counts[kind]++
      if (kind === 'drop') {
        links.delete(link)
        link.client.resetAndDestroy()
        link.upstream.resetAndDestroy()
      } else if (kind === 'stall') {
        const long = random.chance(options.longStallChance ?? 0.05)
        const ms = long ? random.int(longMin, longMax) : random.int(stallMin, stallMax)
        hold(link)
        clearTimeout(link.timer)
        link.timer = setTimeout(() => !frozen && release(link), ms)
      } else {
        if (random.chance(0.5)) {
          link.down = 'lost'
          link.heldDown.length = 0
        } else {
          link.up = 'lost'
          link.heldUp.length = 0
        }
      }
      return true
    },
    blackhole() {
      for (const link of links) {
        clearTimeout(link.timer)
        link.up = 'lost'
        link.down = 'lost'
        link.heldUp.length = 0
        link.heldDown.length = 0
      }
      return links.size
    },
    freeze() {
      frozen = true
      for (const link of links) hold(link)
    },
    thaw() {
      frozen = false
      for (const link of links) release(link)
    },
    async close() {
      for (const link of links) {
        clearTimeout(link.timer)
        link.client.destroy()
        link.upstream.destroy()
      }
      links.clear()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
  return proxy
}

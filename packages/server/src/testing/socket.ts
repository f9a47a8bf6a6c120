import type { RealtimeEvent } from '@suportra/protocol'
import WebSocket from 'ws'

export interface TestSocket {
  ws: WebSocket
  /** Every event received so far, in order. */
  events: RealtimeEvent[]
  /** Resolves with the first event (already received or future) matching `predicate`. */
  next<T extends RealtimeEvent>(
    predicate: (event: RealtimeEvent) => event is T,
    timeoutMs?: number,
  ): Promise<T>
  next(predicate: (event: RealtimeEvent) => boolean, timeoutMs?: number): Promise<RealtimeEvent>
  /** Resolves with the close code. */
  closed: Promise<number>
  close(): void
}

/** Opens a realtime socket, sends the `auth` frame and (by default) waits for `ready`. */
export async function openSocket(
  url: string,
  token: string,
  options: {
    resume?: Record<string, number>
    waitReady?: boolean
    origin?: string
    autoPong?: boolean
    /** More handshake headers (e.g. `x-forwarded-for`). */
    headers?: Record<string, string>
  } = {},
): Promise<TestSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/realtime`, {
    autoPong: options.autoPong ?? true,
    headers: { ...options.headers, ...(options.origin && { origin: options.origin }) },
  })
  const events: RealtimeEvent[] = []
  const waiters = new Set<() => void>()
  ws.on('message', (data) => {
    events.push(JSON.parse(String(data)) as RealtimeEvent)
    for (const wake of waiters) wake()
  })
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  ws.send(JSON.stringify({ type: 'auth', token, ...(options.resume && { resume: options.resume }) }))

  const next = (predicate: (event: RealtimeEvent) => boolean, timeoutMs = 5_000) =>
    new Promise<RealtimeEvent>((resolve, reject) => {
      let seen = 0
      const check = () => {
        for (; seen < events.length; seen++) {
          const event = events[seen] as RealtimeEvent
          if (predicate(event)) {
            done()
            resolve(event)
            return
          }
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(
          new Error(
            `no matching realtime event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.type))}`,
          ),
        )
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        waiters.delete(check)
      }
      waiters.add(check)
      check()
    })

  const socket: TestSocket = { ws, events, next: next as TestSocket['next'], closed, close: () => ws.close() }
  if (options.waitReady !== false) await next((event) => event.type === 'ready')
  return socket
}

import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request a receiver got, and what it answered. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders
  /** The raw body, as the sender wrote it. */
  body: string
  /** `JSON.parse(body)`, or undefined. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read webhook bodies loosely and assert on them
  json: any
  /** The status this receiver answered with (null while held open). */
  answered: number | null
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string
  received: ReceivedWebhook[]
  /**
   * Decides each answer: a status, or `'hold'` to keep the request open (the sender's process may
   * be killed meanwhile). Default: 200.
   */
  respond: (request: ReceivedWebhook, index: number) => number | 'hold'
  /** Resolves once `predicate` holds for what was received (checks on each request), or rejects after `timeoutMs`. */
  waitFor(predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>
  close(): Promise<void>
}

/**
 * A vendor's webhook endpoint for tests: a real HTTP server on 127.0.0.1 (a random port) that keeps
 * every request it gets. The server under test must allow private webhook addresses (the demo seed does).
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const waiters = new Set<() => void>()
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    respond: () => 200,
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(receiver.received)) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve(receiver.received)
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(
            new Error(
              `webhooks not received in ${timeoutMs} ms; got ${receiver.received.map((r) => r.json?.type).join(', ')}`,
            ),
          )
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
    })
    req.on('end', () => {
      let json: unknown
      try {
        json = JSON.parse(body)
      } catch {}
      const request: ReceivedWebhook = { headers: req.headers, body, json, answered: null }
      const index = receiver.received.push(request) - 1
      const status = receiver.respond(request, index)
      if (status !== 'hold') {
        request.answered = status
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no')
      }
      for (const waiter of [...waiters]) waiter()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  return receiver
}

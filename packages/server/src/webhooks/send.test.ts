import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { sendWebhook } from './send.js'

// The delivery's HTTP side against real local endpoints that misbehave.

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  server = undefined
})

async function endpoint(handler: RequestListener) {
  server = createServer(handler)
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
}

const send = (url: string, options: { timeoutMs?: number; allowPrivate?: boolean } = {}) =>
  sendWebhook({
    url,
    body: '{"id":"evt_1"}',
    headers: { 'content-type': 'application/json' },
    timeoutMs: options.timeoutMs ?? 2_000,
    allowPrivate: options.allowPrivate ?? true,
  })

describe('sendWebhook', () => {
  test('a redirect is a failure and is not followed', async () => {
    let followed = 0
    const url = await endpoint((req, res) => {
      if (req.url === '/elsewhere') followed++
      res.writeHead(302, { location: '/elsewhere' }).end()
    })
    expect(await send(url)).toMatchObject({ ok: false, status: 302 })
    expect(followed).toBe(0)
  })

  test('an endpoint that never answers is given up after the timeout', async () => {
    const url = await endpoint(() => {})
    const started = Date.now()
    expect(await send(url, { timeoutMs: 300 })).toMatchObject({ ok: false, status: null, error: /no answer/ })
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  test('an endpoint that answers 200 with an endless body is done after a few KiB', async () => {
    const url = await endpoint((_req, res: ServerResponse) => {
      res.writeHead(200)
      const chunk = 'x'.repeat(64 * 1024)
      const pump = () => {
        while (res.write(chunk)) {}
        res.once('drain', pump)
      }
      pump()
    })
    expect(await send(url, { timeoutMs: 5_000 })).toMatchObject({ ok: true, status: 200 })
  })

  test('in production mode an IP literal of a private network and plain http are not even tried', async () => {
    let reached = 0
    const url = await endpoint((_req, res) => {
      reached++
      res.end()
    })
    expect(await send(url, { allowPrivate: false })).toMatchObject({ ok: false, status: null })
    expect(await send(url.replace('127.0.0.1', 'localhost'), { allowPrivate: false })).toMatchObject({
      ok: false,
    })
    expect(reached).toBe(0)
  })
})

import { api, DEMO, startTestServer, startWebhookReceiver, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// Production mode (private webhooks not allowed, as without the demo seed): whoever holds a server
// key must not be able to make the server send requests into the operator's network.

const key: string = DEMO.serverKey
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ webhooks: { allowPrivate: false, intervalMs: 50, retryBaseMs: 60_000 } })
})
afterAll(() => server.close())

describe('webhook endpoints in production mode', () => {
  test('loopback, private, link-local, metadata and IPv6 loopback URLs are refused, and names resolving to them', async () => {
    for (const url of [
      'http://127.0.0.1:4000/hook',
      'https://127.0.0.1/hook',
      'https://10.0.0.1/hook',
      'https://192.168.1.20/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fe80::1]/hook',
      'https://100.64.0.1/hook',
      // A host name that resolves to 127.0.0.1.
      'https://localhost/hook',
      'https://localhost:8443/hook',
      'http://example.com/hook',
    ]) {
      const result = await api(server.url, 'POST', '/v1/server/webhook-endpoints', {
        token: key,
        body: { url, events: ['session.started'] },
      })
      expect(result.status, url).toBe(400)
      expect(result.body.error.code).toBe('validation')
    }
    const { body } = await api(server.url, 'GET', '/v1/server/webhook-endpoints', { token: key })
    expect(body.endpoints).toEqual([])
  })

  test('an endpoint whose host resolves to a private address when delivering gets nothing', async () => {
    const receiver = await startWebhookReceiver()
    const port = new URL(receiver.url).port
    // Registered when it resolved elsewhere (written directly: the API refuses it now), or a literal.
    const { db } = server.current.context.store
    for (const [id, url] of [
      ['we_rebound', `https://localhost:${port}/hook`],
      ['we_literal', `http://127.0.0.1:${port}/hook`],
    ]) {
      await db
        .insertInto('webhook_endpoints')
        .values({
          id: id as string,
          app_id: DEMO.appId,
          url: url as string,
          events: '["credits.granted"]',
          secret: 'whsec_x',
          created_at: Date.now(),
        })
        .execute()
    }
    const grant = await api(server.url, 'POST', '/v1/server/users/ssrf-user/credits', {
      token: key,
      body: { amount: 1, reason: 'probe' },
    })
    expect(grant.status).toBe(201)
    for (const id of ['we_rebound', 'we_literal']) {
      await expect
        .poll(async () => {
          const { body } = await api(server.url, 'GET', `/v1/server/webhook-endpoints/${id}/deliveries`, {
            token: key,
          })
          return body.deliveries[0]?.lastError ?? null
        })
        .toMatch(/not a public address|private, loopback or reserved|only https/)
    }
    expect(receiver.received).toEqual([])
    await receiver.close()
  })
})

import { api, DEMO, startTestServer, startWebhookReceiver, testDialect } from '@suportra/server/testing'
import { describe, expect, test } from 'vitest'

// Two server instances on one PostgreSQL database, both running the webhook worker often: each event
// is delivered by one of them, once.

describe.skipIf(testDialect() !== 'postgres')(
  'webhooks with two instances on one PostgreSQL database',
  () => {
    test('each event is delivered exactly once', async () => {
      const options = {
        webhooks: { intervalMs: 20 },
        rateLimits: { serverApi: { points: 10_000, duration: 60 } },
      }
      const a = await startTestServer(options)
      const b = await startTestServer({ ...options, db: a.db, dataDir: a.current.context.filesDir })
      const receiver = await startWebhookReceiver()
      try {
        const created = await api(a.url, 'POST', '/v1/server/webhook-endpoints', {
          token: DEMO.serverKey,
          body: { url: receiver.url, events: ['credits.granted'] },
        })
        expect(created.status).toBe(201)
        const grants = 40
        await Promise.all(
          Array.from({ length: grants }, (_, i) =>
            api(i % 2 ? a.url : b.url, 'POST', `/v1/server/users/pg-user-${i}/credits`, {
              token: DEMO.serverKey,
              body: { amount: 1, reason: `grant ${i}` },
            }).then((r) => expect(r.status).toBe(201)),
          ),
        )
        await receiver.waitFor((all) => new Set(all.map((r) => r.json.id)).size === grants, 20_000)
        // Several more passes of both workers: nothing is sent again.
        await new Promise((resolve) => setTimeout(resolve, 500))
        const ids = receiver.received.map((r) => r.json.id as string)
        expect(ids).toHaveLength(grants)
        expect(new Set(ids).size).toBe(grants)
      } finally {
        await receiver.close()
        await b.close()
        await a.close()
      }
    })
  },
)

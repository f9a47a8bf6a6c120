import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyWebhook } from '@suportra/client/webhooks'
import { api, DEMO, type ServerProcess, spawnServer, startWebhookReceiver } from '@suportra/server/testing'
import { afterAll, describe, expect, test } from 'vitest'

// The server as its own process (the built CLI), killed with SIGKILL while a webhook is on its way:
// the event is in the outbox (committed with the grant), so the restarted server delivers it.

describe('webhooks survive a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suportra-webhook-kill-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('a webhook in flight when the server is SIGKILLed is delivered after the restart, with the same id', async () => {
    const dbFile = join(dir, 'kill.db')
    // A short endpoint timeout, so the dead instance's lease (twice it, plus a second) runs out soon.
    const env = { SUPORTRA_WEBHOOK_TIMEOUT_MS: '1000' }
    const receiver = await startWebhookReceiver()
    // The first delivery is held open: the server is killed before it gets an answer.
    receiver.respond = (_request, index) => (index === 0 ? 'hold' : 200)
    let server: ServerProcess = await spawnServer(dbFile, { env })
    try {
      const created = await api(server.url, 'POST', '/v1/server/webhook-endpoints', {
        token: DEMO.serverKey,
        body: { url: receiver.url, events: ['credits.granted'] },
      })
      expect(created.status).toBe(201)
      const grant = await api(server.url, 'POST', '/v1/server/users/crash-user/credits', {
        token: DEMO.serverKey,
        body: { amount: 2, reason: 'Before the crash' },
      })
      expect(grant.status).toBe(201)
      await receiver.waitFor((all) => all.length === 1)
      await server.kill()

      server = await spawnServer(dbFile, { port: server.port, env })
      const received = await receiver.waitFor((all) => all.some((r) => r.answered === 200), 20_000)
      expect(received).toHaveLength(2)
      expect(received[1]?.json.id).toBe(received[0]?.json.id)
      const event = await verifyWebhook({
        payload: received[1]?.body as string,
        header: received[1]?.headers['suportra-signature'] as string,
        secret: created.body.secret,
      })
      expect(event).toMatchObject({ type: 'credits.granted', data: { externalId: 'crash-user', amount: 2 } })
    } finally {
      await server.stop()
      await receiver.close()
    }
  })
})

import { verifyWebhook } from '@suportra/client/webhooks'
import {
  api,
  DEMO,
  signIdentityToken,
  signIn,
  startTestServer,
  startWebhookReceiver,
  type TestServer,
  type WebhookReceiver,
} from '@suportra/server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createApiKey } from '../src/server-api/keys.js'

// The vendor's backend: a server key of the demo app (sk_test_demo), the real server on a random
// port, a real HTTP receiver on 127.0.0.1 for webhooks (the demo seed allows private addresses).

const key: string = DEMO.serverKey
let server: TestServer
let receiver: WebhookReceiver

beforeAll(async () => {
  server = await startTestServer({ webhooks: { intervalMs: 50, retryBaseMs: 200 } })
})
afterAll(() => server.close())
afterEach(async () => {
  await receiver?.close()
  // Each test registers its own endpoint; the next one starts from none.
  const { body } = await api(server.url, 'GET', '/v1/server/webhook-endpoints', { token: key })
  for (const endpoint of body.endpoints) {
    await api(server.url, 'DELETE', `/v1/server/webhook-endpoints/${endpoint.id}`, { token: key })
  }
})

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`

/** Signs in the vendor's user `sub` through an identity token, as the widget would. */
async function identify(sub: string) {
  const token = await signIdentityToken({ sub, name: 'Vendor User' })
  const result = await api(server.url, 'POST', '/v1/auth/identify', { app: DEMO.appId, body: { token } })
  expect(result.status).toBe(200)
  return result.body as { accessToken: string; user: { id: string } }
}

function grant(externalId: string, body: unknown, idempotencyKey?: string, token = key) {
  return api(server.url, 'POST', `/v1/server/users/${encodeURIComponent(externalId)}/credits`, {
    token,
    body,
    ...(idempotencyKey && { headers: { 'idempotency-key': idempotencyKey } }),
  })
}

async function endpoint(
  events: string[] = ['session.started', 'session.claimed', 'session.closed', 'session.rated'],
) {
  receiver = await startWebhookReceiver()
  const created = await api(server.url, 'POST', '/v1/server/webhook-endpoints', {
    token: key,
    body: { url: receiver.url, events },
  })
  expect(created.status).toBe(201)
  expect(created.body.secret).toMatch(/^whsec_/)
  return created.body as { id: string; secret: string }
}

describe('credit grants', () => {
  test('a grant shows in the identified user’s balance, and once in the ledger under a replayed Idempotency-Key', async () => {
    const sub = unique('vendor-user')
    const user = await identify(sub)
    const first = await grant(sub, { amount: 5, reason: 'Pro plan' }, 'grant-key-1')
    expect(first.status).toBe(201)
    expect(first.body.user).toMatchObject({ externalId: sub, balance: 5, sessions: 0 })
    expect(first.body.transaction).toMatchObject({ kind: 'grant', amount: 5, reference: 'Pro plan' })

    const again = await grant(sub, { amount: 5, reason: 'Pro plan' }, 'grant-key-1')
    expect(again.status).toBe(201)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body).toEqual(first.body)

    const balance = await api(server.url, 'GET', '/v1/credits', { token: user.accessToken })
    expect(balance.body.balance).toBe(5)
    const ledger = await api(server.url, 'GET', '/v1/credits/transactions', { token: user.accessToken })
    expect(ledger.body.transactions.filter((t: { kind: string }) => t.kind === 'grant')).toHaveLength(1)

    const read = await api(server.url, 'GET', `/v1/server/users/${sub}`, { token: key })
    expect(read.body.user).toMatchObject({ id: user.user.id, externalId: sub, balance: 5, sessions: 0 })
  })

  test('concurrent requests with one Idempotency-Key grant once', async () => {
    const sub = unique('vendor-user')
    const results = await Promise.all(
      Array.from({ length: 8 }, () => grant(sub, { amount: 2, reason: 'Burst' }, 'burst-key')),
    )
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201))
    const read = await api(server.url, 'GET', `/v1/server/users/${sub}`, { token: key })
    expect(read.body.user.balance).toBe(2)
  })

  test('a grant to a user who never signed in creates them; their first sign-in finds the credits', async () => {
    const sub = unique('not-yet')
    expect((await api(server.url, 'GET', `/v1/server/users/${sub}`, { token: key })).status).toBe(404)
    expect((await grant(sub, { amount: 3, reason: 'Welcome' })).status).toBe(201)
    const user = await identify(sub)
    const balance = await api(server.url, 'GET', '/v1/credits', { token: user.accessToken })
    expect(balance.body.balance).toBe(3)
  })

  test('the same Idempotency-Key with another body or another user is a 409 conflict, nothing granted', async () => {
    const sub = unique('vendor-user')
    await grant(sub, { amount: 1, reason: 'One' }, 'reused-key')
    const other = await grant(sub, { amount: 100, reason: 'One' }, 'reused-key')
    expect(other.status).toBe(409)
    expect(other.body.error).toMatchObject({
      code: 'conflict',
      details: { reason: 'idempotency_key_reused' },
    })
    const elsewhere = await grant(unique('someone-else'), { amount: 1, reason: 'One' }, 'reused-key')
    expect(elsewhere.status).toBe(409)
    const read = await api(server.url, 'GET', `/v1/server/users/${sub}`, { token: key })
    expect(read.body.user.balance).toBe(1)
  })

  test('refuses negative, zero, fractional, huge and malformed grants with a 400 and a code', async () => {
    const sub = unique('vendor-user')
    for (const body of [
      { amount: -5, reason: 'x' },
      { amount: 0, reason: 'x' },
      { amount: 1.5, reason: 'x' },
      { amount: 1e9, reason: 'x' },
      { amount: '5', reason: 'x' },
      { amount: 5 },
      { amount: 5, reason: '' },
      { amount: 5, reason: 'x'.repeat(201) },
      { amount: 5, reason: 'x', extra: true },
      [],
      null,
    ]) {
      const result = await grant(sub, body)
      expect(result.status, JSON.stringify(body)).toBe(400)
      expect(result.body.error.code).toBe('validation')
    }
    const raw = await api(server.url, 'POST', `/v1/server/users/${sub}/credits`, {
      token: key,
      raw: '{"amount": 5,',
      headers: { 'content-type': 'application/json' },
    })
    expect(raw.status).toBe(400)
    const huge = await api(server.url, 'POST', `/v1/server/users/${sub}/credits`, {
      token: key,
      raw: JSON.stringify({ amount: 1, reason: 'x'.repeat(2_000_000) }),
      headers: { 'content-type': 'application/json' },
    })
    expect(huge.status).toBe(413)
    for (const bad of ['', ' ', 'a b', 'x'.repeat(256), 'cl\u00e9']) {
      const result = await api(server.url, 'POST', `/v1/server/users/${sub}/credits`, {
        token: key,
        body: { amount: 1, reason: 'x' },
        headers: { 'idempotency-key': bad },
      })
      expect(result.status, `key ${JSON.stringify(bad)}`).toBe(400)
    }
    expect((await api(server.url, 'GET', `/v1/server/users/${sub}`, { token: key })).status).toBe(404)
  })
})

describe('keys and scope', () => {
  test('a key of another app gets 404 for this app’s users, endpoints and sessions', async () => {
    const other = await server.current.context.apps.create({
      name: 'Other',
      allowedOrigins: ['https://other.example'],
    })
    const { key: otherKey } = await createApiKey(server.current.context.store, {
      appId: other.id,
      name: 'test',
    })
    const sub = unique('demo-user')
    await grant(sub, { amount: 2, reason: 'Demo' })
    expect((await api(server.url, 'GET', `/v1/server/users/${sub}`, { token: otherKey })).status).toBe(404)
    expect((await api(server.url, 'DELETE', `/v1/server/users/${sub}`, { token: otherKey })).status).toBe(404)
    // A grant with the other app's key goes to that app's user of the same id, never to this one.
    expect((await grant(sub, { amount: 7, reason: 'Other' }, undefined, otherKey)).status).toBe(201)
    expect((await api(server.url, 'GET', `/v1/server/users/${sub}`, { token: key })).body.user.balance).toBe(
      2,
    )
    const { id } = await endpoint()
    expect(
      (await api(server.url, 'GET', `/v1/server/webhook-endpoints/${id}/deliveries`, { token: otherKey }))
        .status,
    ).toBe(404)
    expect(
      (await api(server.url, 'DELETE', `/v1/server/webhook-endpoints/${id}`, { token: otherKey })).status,
    ).toBe(404)
    const sessions = await api(server.url, 'GET', '/v1/server/sessions', { token: otherKey })
    expect(sessions.body.sessions).toEqual([])
  })

  test('missing, malformed, unknown and revoked keys get 401; a browser request 403', async () => {
    for (const authorization of [
      undefined,
      'Bearer',
      'Bearer sk_nope',
      'Basic abc',
      'Bearer sk_test_demo x',
    ]) {
      const result = await api(server.url, 'GET', '/v1/server/sessions', {
        ...(authorization && { headers: { authorization } }),
      })
      expect(result.status, String(authorization)).toBe(401)
      expect(result.body.error.code).toBe('unauthorized')
    }
    const { key: revoked, info } = await createApiKey(server.current.context.store, {
      appId: DEMO.appId,
      name: 'old',
    })
    expect((await api(server.url, 'GET', '/v1/server/sessions', { token: revoked })).status).toBe(200)
    const { revokeApiKey } = await import('../src/server-api/keys.js')
    await revokeApiKey(server.current.context.store, info.id)
    expect((await api(server.url, 'GET', '/v1/server/sessions', { token: revoked })).status).toBe(401)
    const browser = await api(server.url, 'GET', '/v1/server/sessions', {
      token: key,
      headers: { origin: 'http://localhost:5173' },
    })
    expect(browser.status).toBe(403)
    // Only a hash is stored.
    const rows = await server.current.context.store.db.selectFrom('api_keys').selectAll().execute()
    expect(JSON.stringify(rows)).not.toContain(revoked)
  })
})

describe('sessions and webhooks', () => {
  test('start → claim → close → rate: signed webhooks arrive in order; no content in them or in GET /v1/server/sessions', async () => {
    const { id: endpointId, secret } = await endpoint()
    const sub = unique('vendor-user')
    await grant(sub, { amount: 2, reason: 'Plan' })
    const user = await identify(sub)
    const started = await api(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: {
        tool: 'cursor',
        topic: 'TOPIC-SECRET build fails',
        context: { url: 'https://vendor.example/CONTEXT-SECRET' },
      },
    })
    expect(started.status).toBe(201)
    const sessionId = started.body.session.id
    const sent = await api(server.url, 'POST', `/v1/sessions/${sessionId}/messages`, {
      token: user.accessToken,
      body: { id: unique('msg-client'), text: 'MESSAGE-SECRET my env' },
    })
    expect(sent.status).toBeLessThan(300)
    const builder = await signIn(server.url, DEMO.builder.email)
    expect(
      (
        await api(server.url, 'POST', `/v1/builder/sessions/${sessionId}/claim`, {
          token: builder.accessToken,
        })
      ).status,
    ).toBe(200)
    expect(
      (await api(server.url, 'POST', `/v1/sessions/${sessionId}/close`, { token: builder.accessToken }))
        .status,
    ).toBe(200)
    const rated = await api(server.url, 'POST', `/v1/sessions/${sessionId}/rating`, {
      token: user.accessToken,
      body: { score: 4, comment: 'COMMENT-SECRET thanks' },
    })
    expect(rated.status).toBe(200)

    const ofSession = (r: { json?: { data?: { session?: { id?: string } } } }) =>
      r.json?.data?.session?.id === sessionId
    const received = (await receiver.waitFor((all) => all.filter(ofSession).length >= 4)).filter(ofSession)
    expect(received.map((r) => r.json.type)).toEqual([
      'session.started',
      'session.claimed',
      'session.closed',
      'session.rated',
    ])
    for (const delivery of received) {
      const event = await verifyWebhook({
        payload: delivery.body,
        header: delivery.headers['suportra-signature'] as string,
        secret,
      })
      expect(event.id).toMatch(/^evt_/)
    }
    expect(received.at(-1)?.json.data.session).toMatchObject({
      id: sessionId,
      externalId: sub,
      tool: 'cursor',
      status: 'closed',
      builder: { name: DEMO.builder.name },
      rating: { score: 4 },
    })

    const listed = await api(server.url, 'GET', '/v1/server/sessions', { token: key })
    expect(listed.status).toBe(200)
    const mine = listed.body.sessions.find((s: { id: string }) => s.id === sessionId)
    expect(mine).toMatchObject({
      externalId: sub,
      status: 'closed',
      rating: { score: 4 },
      builder: { name: DEMO.builder.name },
    })
    // The session really holds all three: the user and builder see them; the vendor does not.
    const own = await api(server.url, 'GET', `/v1/sessions/${sessionId}`, { token: user.accessToken })
    expect(JSON.stringify(own.body)).toContain('COMMENT-SECRET')
    expect(JSON.stringify(own.body)).toContain('CONTEXT-SECRET')
    for (const text of [JSON.stringify(listed.body), ...received.map((r) => r.body)]) {
      for (const secretText of ['TOPIC-SECRET', 'CONTEXT-SECRET', 'MESSAGE-SECRET', 'COMMENT-SECRET']) {
        expect(text).not.toContain(secretText)
      }
    }
    const deliveries = await api(server.url, 'GET', `/v1/server/webhook-endpoints/${endpointId}/deliveries`, {
      token: key,
    })
    expect(deliveries.status).toBe(200)
    expect(
      deliveries.body.deliveries.filter((d: { status: string }) => d.status === 'delivered').length,
    ).toBeGreaterThanOrEqual(4)
  })

  test('a delivery answered 500 is retried with the same event id, and not sent again after the 200', async () => {
    const { id: endpointId } = await endpoint(['credits.granted'])
    receiver.respond = (_request, index) => (index === 0 ? 500 : 200)
    const sub = unique('vendor-user')
    await identify(sub)
    await grant(sub, { amount: 1, reason: 'Retry me' })
    const received = await receiver.waitFor((all) => all.some((r) => r.answered === 200))
    expect(received).toHaveLength(2)
    expect(received[0]?.answered).toBe(500)
    expect(received[1]?.json.id).toBe(received[0]?.json.id)
    expect(received[1]?.body).toBe(received[0]?.body)
    expect(received[0]?.json).toMatchObject({
      type: 'credits.granted',
      data: { externalId: sub, amount: 1, reason: 'Retry me', source: 'api' },
    })
    // Long enough for two more retry rounds: nothing more arrives.
    await new Promise((resolve) => setTimeout(resolve, 800))
    expect(receiver.received).toHaveLength(2)
    const { body } = await api(server.url, 'GET', `/v1/server/webhook-endpoints/${endpointId}/deliveries`, {
      token: key,
    })
    expect(body.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 200 })
  })

  test('a session’s events wait for an earlier one that failed: delivered in order, not in the order they came due', async () => {
    await endpoint()
    // The first delivery (session.started) fails; claim and close happen while it waits for its retry.
    receiver.respond = (_request, index) => (index === 0 ? 500 : 200)
    const sub = unique('vendor-user')
    await grant(sub, { amount: 1, reason: 'Plan' })
    const user = await identify(sub)
    const started = await api(server.url, 'POST', '/v1/sessions', {
      token: user.accessToken,
      body: { tool: 'cursor', topic: 'Order please' },
    })
    const sessionId = started.body.session.id
    await receiver.waitFor((all) => all.length === 1)
    const builder = await signIn(server.url, DEMO.builder.email)
    await api(server.url, 'POST', `/v1/builder/sessions/${sessionId}/claim`, { token: builder.accessToken })
    await api(server.url, 'POST', `/v1/sessions/${sessionId}/close`, { token: builder.accessToken })
    const received = await receiver.waitFor((all) => all.filter((r) => r.answered === 200).length >= 3)
    expect(received.filter((r) => r.answered === 200).map((r) => r.json.type)).toEqual([
      'session.started',
      'session.claimed',
      'session.closed',
    ])
  })

  test('erasure through the API deletes the user as their own deletion does, and says so in a webhook', async () => {
    await endpoint(['credits.granted', 'user.deleted'])
    // The grant's webhook is never accepted: it is still in the outbox when the user is erased.
    receiver.respond = (request) => (request.json?.type === 'credits.granted' ? 500 : 200)
    const sub = unique('vendor-user')
    const user = await identify(sub)
    await grant(sub, { amount: 1, reason: 'x' })
    await receiver.waitFor((all) => all.length >= 1)
    const deleted = await api(server.url, 'DELETE', `/v1/server/users/${sub}`, { token: key })
    expect(deleted.status).toBe(200)
    expect((await api(server.url, 'GET', '/v1/me', { token: user.accessToken })).status).toBe(401)
    expect((await api(server.url, 'GET', `/v1/server/users/${sub}`, { token: key })).status).toBe(404)
    expect((await api(server.url, 'DELETE', `/v1/server/users/${sub}`, { token: key })).status).toBe(404)
    const received = await receiver.waitFor((all) => all.some((r) => r.json?.type === 'user.deleted'))
    expect(received.find((r) => r.json?.type === 'user.deleted')?.json).toMatchObject({
      data: { userId: user.user.id, externalId: sub, source: 'api' },
    })
    // The outbox keeps nothing about them but that last event (the grant's is gone, sent or not).
    const { db } = server.current.context.store
    const events = await db.selectFrom('webhook_events').select(['type', 'payload']).execute()
    expect(events.filter((e) => e.payload.includes(user.user.id)).map((e) => e.type)).toEqual([
      'user.deleted',
    ])
    // Nor is it retried any more (it would have been, within a second: retries start 200 ms apart here).
    const grantsSeen = receiver.received.filter((r) => r.json?.type === 'credits.granted').length
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(receiver.received.filter((r) => r.json?.type === 'credits.granted')).toHaveLength(grantsSeen)
  })
})

describe('purchase and account deletion webhooks', () => {
  test('a pack bought by an identified user sends credits.purchased; their own deletion sends user.deleted', async () => {
    await endpoint(['credits.purchased', 'user.deleted'])
    const sub = unique('buyer')
    const user = await identify(sub)
    const checkout = await api(server.url, 'POST', '/v1/credits/checkout', {
      token: user.accessToken,
      body: {
        packId: 'pack_3',
        successUrl: 'http://localhost:5173/ok',
        cancelUrl: 'http://localhost:5173/no',
      },
    })
    expect(checkout.status).toBe(200)
    const html = await (await fetch(checkout.body.url)).text()
    const action = html.match(/action="([^"]+)"/)?.[1]?.replaceAll('&#38;', '&') as string
    expect((await fetch(new URL(action, server.url), { method: 'POST', redirect: 'manual' })).status).toBe(
      303,
    )
    const [purchased] = await receiver.waitFor((all) => all.length >= 1)
    expect(purchased?.json).toMatchObject({
      type: 'credits.purchased',
      data: { userId: user.user.id, externalId: sub, packId: 'pack_3', credits: 3 },
    })
    expect((await api(server.url, 'DELETE', '/v1/account', { token: user.accessToken })).status).toBe(200)
    const all = await receiver.waitFor((got) => got.length >= 2)
    expect(all[1]?.json).toMatchObject({ type: 'user.deleted', data: { externalId: sub, source: 'user' } })
  })
})

describe('webhook endpoints', () => {
  test('lists endpoints without their secrets; refuses bad URLs and event types', async () => {
    const { id, secret } = await endpoint()
    // Created once under one Idempotency-Key: the repeat answers the same endpoint (and secret).
    const once = { url: `${receiver.url}?again`, events: ['session.closed'] }
    const headers = { 'idempotency-key': 'endpoint-key-1' }
    const first = await api(server.url, 'POST', '/v1/server/webhook-endpoints', {
      token: key,
      body: once,
      headers,
    })
    const repeat = await api(server.url, 'POST', '/v1/server/webhook-endpoints', {
      token: key,
      body: once,
      headers,
    })
    expect(repeat.headers.get('idempotent-replayed')).toBe('true')
    expect(repeat.body).toEqual(first.body)
    await api(server.url, 'DELETE', `/v1/server/webhook-endpoints/${first.body.id}`, { token: key })
    const listed = await api(server.url, 'GET', '/v1/server/webhook-endpoints', { token: key })
    expect(listed.body.endpoints).toEqual([expect.objectContaining({ id, url: receiver.url })])
    expect(JSON.stringify(listed.body)).not.toContain(secret)
    for (const body of [
      { url: 'not a url', events: ['session.started'] },
      { url: 'ftp://example.com/x', events: ['session.started'] },
      { url: 'https://user:pass@example.com/x', events: ['session.started'] },
      { url: 'https://example.com/x', events: [] },
      { url: 'https://example.com/x', events: ['session.exploded'] },
      { url: 'https://example.com/x' },
    ]) {
      const result = await api(server.url, 'POST', '/v1/server/webhook-endpoints', { token: key, body })
      expect(result.status, JSON.stringify(body)).toBe(400)
    }
    const cursor = await api(server.url, 'GET', '/v1/server/sessions?cursor=garbage', { token: key })
    expect(cursor.status).toBe(400)
    const unknown = await api(server.url, 'GET', '/v1/server/sessions?nope=1', { token: key })
    expect(unknown.status).toBe(400)
  })
})

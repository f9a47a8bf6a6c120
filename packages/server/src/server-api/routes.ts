import {
  CreateWebhookEndpointRequest,
  GrantRequest,
  ServerSessionsQuery,
} from '@suportra/protocol/server-api'
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { notifyCredits } from '../credits/notify.js'
import { parse } from '../errors.js'
import { type C, type Env, expectNoBody, readJson } from '../http/request.js'
import {
  checkNewEndpoint,
  createEndpoint,
  deleteEndpoint,
  listDeliveries,
  listEndpoints,
} from '../webhooks/endpoints.js'
import { externalIdOf, requireServerKey } from './auth.js'
import { type Answer, idempotent, parseIdempotencyKey } from './idempotency.js'
import { listServerSessions } from './sessions.js'
import { deleteServerUser, getServerUser, grantToUser } from './users.js'

/** Sends an answer; a replayed one says so (`Idempotent-Replayed: true`). */
function answer(c: C, result: Answer) {
  if (result.replayed) c.header('Idempotent-Replayed', 'true')
  return c.json(result.body as object, result.status as ContentfulStatusCode)
}

/** The scope of a request's `Idempotency-Key`: the app, the key, and what the request asks. */
function scopeOf(c: C, appId: string, input: unknown) {
  return {
    appId,
    key: parseIdempotencyKey(c.req.header('idempotency-key')),
    request: `${c.req.method} ${c.req.path}\n${JSON.stringify(input)}`,
  }
}

/**
 * `/v1/server`: the vendor's backend, with a server key of its app. Every user, session and endpoint
 * is looked up within that app (another app's are 404). Changes take an `Idempotency-Key`.
 */
export const serverApiRoutes = new Hono<Env>()
  .post('/users/:externalId/credits', async (c) => {
    const { appId } = await requireServerKey(c)
    const externalId = externalIdOf(c)
    const input = await readJson(c, GrantRequest)
    const ctx = c.get('ctx')
    const scope = scopeOf(c, appId, input)
    const result = await idempotent(ctx, scope, async (tx) => ({
      status: 201,
      body: await grantToUser(ctx, tx, appId, externalId, input, scope.key),
    }))
    if (!result.replayed) await notifyCredits(ctx, (result.body as { user: { id: string } }).user.id)
    return answer(c, result)
  })
  .get('/users/:externalId', async (c) => {
    const { appId } = await requireServerKey(c)
    return c.json({ user: await getServerUser(c.get('ctx'), appId, externalIdOf(c)) })
  })
  .delete('/users/:externalId', async (c) => {
    const { appId } = await requireServerKey(c)
    await expectNoBody(c)
    await deleteServerUser(c.get('ctx'), appId, externalIdOf(c))
    return c.json({ deleted: true as const })
  })
  .get('/sessions', async (c) => {
    const { appId } = await requireServerKey(c)
    const query = parse(ServerSessionsQuery, c.req.query(), 'Query')
    return c.json(await listServerSessions(c.get('ctx'), appId, query))
  })
  .post('/webhook-endpoints', async (c) => {
    const { appId } = await requireServerKey(c)
    const input = await readJson(c, CreateWebhookEndpointRequest)
    const ctx = c.get('ctx')
    const url = await checkNewEndpoint(ctx, input)
    const result = await idempotent(ctx, scopeOf(c, appId, input), async (tx) => ({
      status: 201,
      body: await createEndpoint(ctx, tx, appId, { ...input, url }),
    }))
    return answer(c, result)
  })
  .get('/webhook-endpoints', async (c) => {
    const { appId } = await requireServerKey(c)
    return c.json({ endpoints: await listEndpoints(c.get('ctx'), appId) })
  })
  .delete('/webhook-endpoints/:id', async (c) => {
    const { appId } = await requireServerKey(c)
    await expectNoBody(c)
    await deleteEndpoint(c.get('ctx'), appId, c.req.param('id'))
    return c.json({ deleted: true as const })
  })
  .get('/webhook-endpoints/:id/deliveries', async (c) => {
    const { appId } = await requireServerKey(c)
    const cursor = c.req.query('cursor')
    return c.json(await listDeliveries(c.get('ctx'), appId, c.req.param('id'), cursor))
  })

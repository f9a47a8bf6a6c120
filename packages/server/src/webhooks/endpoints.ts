import {
  type CreateWebhookEndpointRequest,
  WEBHOOK_ENDPOINTS_MAX,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEventType,
} from '@suportra/protocol/server-api'
import type { Context } from '../context.js'
import type { Tx } from '../db/database.js'
import type { DB } from '../db/schema.js'
import { conflict, invalid, notFound } from '../errors.js'
import { newId, newSecret } from '../ids.js'
import { checkEndpointHost, checkEndpointUrl } from './address.js'
import { allowsPrivate } from './worker.js'

type EndpointRow = DB['webhook_endpoints']

const toEndpoint = (row: EndpointRow): WebhookEndpoint => ({
  id: row.id,
  url: row.url,
  events: JSON.parse(row.events) as WebhookEventType[],
  createdAt: Number(row.created_at),
})

/**
 * Checks a new endpoint's URL (form, and where its host resolves now), before any transaction: a
 * slow DNS answer must not hold the database.
 */
export async function checkNewEndpoint(ctx: Context, input: CreateWebhookEndpointRequest): Promise<URL> {
  const url = checkEndpointUrl(input.url, allowsPrivate(ctx))
  if (!allowsPrivate(ctx)) await checkEndpointHost(url)
  return url
}

/**
 * Registers a webhook endpoint of `appId` at `url` (checked by `checkNewEndpoint`) inside `tx`, the
 * idempotent request's transaction, and returns it with its signing secret, never shown again.
 */
export async function createEndpoint(
  ctx: Context,
  tx: Tx,
  appId: string,
  input: Omit<CreateWebhookEndpointRequest, 'url'> & { url: URL },
): Promise<WebhookEndpoint & { secret: string }> {
  const { url } = input
  const events = [...new Set(input.events)]
  const existing = await tx.selectFrom('webhook_endpoints').select('id').where('app_id', '=', appId).execute()
  if (existing.length >= WEBHOOK_ENDPOINTS_MAX) {
    throw conflict(`An app has at most ${WEBHOOK_ENDPOINTS_MAX} webhook endpoints; delete one first`)
  }
  const row: EndpointRow = {
    id: newId('we'),
    app_id: appId,
    url: url.href,
    events: JSON.stringify(events),
    secret: `whsec_${newSecret()}`,
    created_at: Date.now(),
  }
  await tx.insertInto('webhook_endpoints').values(row).execute()
  ctx.log.info({ appId, endpointId: row.id, host: url.host }, 'webhook endpoint created')
  return { ...toEndpoint(row), secret: row.secret }
}

export async function listEndpoints(ctx: Context, appId: string): Promise<WebhookEndpoint[]> {
  const rows = await ctx.store.db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('app_id', '=', appId)
    .orderBy('created_at')
    .execute()
  return rows.map(toEndpoint)
}

/** Deletes an endpoint of `appId` and what was still to be delivered to it (404 for another app's). */
export async function deleteEndpoint(ctx: Context, appId: string, id: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const gone = await tx
      .deleteFrom('webhook_endpoints')
      .where('id', '=', id)
      .where('app_id', '=', appId)
      .executeTakeFirst()
    if (gone.numDeletedRows === 0n) throw notFound('Webhook endpoint')
    await tx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute()
  })
}

const DELIVERIES_PAGE = 100

/** An endpoint's deliveries, newest first, a page at a time (`cursor`: the last id of the page before). */
export async function listDeliveries(
  ctx: Context,
  appId: string,
  endpointId: string,
  cursor: string | undefined,
): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }> {
  const { db } = ctx.store
  const endpoint = await db
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('id', '=', endpointId)
    .where('app_id', '=', appId)
    .executeTakeFirst()
  if (!endpoint) throw notFound('Webhook endpoint')
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
    .selectAll('d')
    .select('e.type')
    .where('d.endpoint_id', '=', endpointId)
  if (cursor !== undefined) {
    const after = await db
      .selectFrom('webhook_deliveries')
      .select(['created_at', 'id'])
      .where('id', '=', cursor)
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirst()
    if (!after) throw invalid('cursor is not a delivery of this endpoint')
    query = query.where((eb) =>
      eb.or([
        eb('d.created_at', '<', after.created_at),
        eb.and([eb('d.created_at', '=', after.created_at), eb('d.id', '<', after.id)]),
      ]),
    )
  }
  const rows = await query
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(DELIVERIES_PAGE + 1)
    .execute()
  const page = rows.slice(0, DELIVERIES_PAGE)
  return {
    deliveries: page.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      type: row.type as WebhookEventType,
      status: row.status,
      attempts: row.attempts,
      lastStatus: row.last_status,
      lastError: row.last_error,
      nextAttemptAt: row.status === 'pending' ? Number(row.next_attempt_at) : null,
      createdAt: Number(row.created_at),
      deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
    })),
    nextCursor: rows.length > DELIVERIES_PAGE ? (page.at(-1)?.id ?? null) : null,
  }
}

import { LIMITS, MessagesQuery, SendBatchRequest, SendMessageRequest } from '@suportra/protocol'
import { Hono } from 'hono'
import { parse } from '../errors.js'
import { type C, type Env, limitBody, readJson, requireCaller } from '../http/request.js'
import { consume } from '../rate-limit.js'
import { checkUploadQuota, openAttachment, storeAttachment } from './attachments.js'
import { listMessages } from './messages.js'
import { storeMessages } from './send.js'

const sessionIdOf = (c: C) => c.req.param('id') ?? ''

/** A JSON answer already serialised (the messages' JSON is made once, for the sockets and for this). */
const jsonText = (c: C, body: string, status: 200 | 201) =>
  c.body(body, status, { 'content-type': 'application/json' })

/** `/v1/sessions/:id/messages` and `/v1/sessions/:id/attachments`: a session's transcript. */
export const sessionMessageRoutes = new Hono<Env>()
  .get('/:id/messages', async (c) => {
    const caller = await requireCaller(c)
    const query = parse(MessagesQuery, c.req.query(), 'Query')
    return c.json(await listMessages(c.get('ctx'), caller, sessionIdOf(c), query))
  })

  .post('/:id/messages', async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireCaller(c)
    const input = await readJson(c, SendMessageRequest)
    const { json, created } = await storeMessages(ctx, caller, sessionIdOf(c), [input], (n) =>
      consume(ctx.limits.send, caller.userId, 'messages', n),
    )
    return jsonText(c, `{"message":${json[0]}}`, created ? 201 : 200)
  })

  // Up to LIMITS.batchMessages in one transaction, in order (an outbox draining after an outage).
  .post('/:id/messages/batch', limitBody(LIMITS.batchBodyBytes), async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireCaller(c)
    const { messages: inputs } = await readJson(c, SendBatchRequest)
    const { json, created } = await storeMessages(ctx, caller, sessionIdOf(c), inputs, (n) =>
      consume(ctx.limits.send, caller.userId, 'messages', n),
    )
    return jsonText(c, `{"messages":[${json.join(',')}]}`, created > 0 ? 201 : 200)
  })

  .post(
    '/:id/attachments',
    async (c, next) => {
      const caller = await requireCaller(c)
      // Over the quota of unsent uploads, refused before the body is read.
      await checkUploadQuota(c.get('ctx'), caller.userId)
      await next()
    },
    limitBody(LIMITS.attachmentBytes),
    async (c) => {
      const caller = await requireCaller(c)
      const data = new Uint8Array(await c.req.arrayBuffer())
      const attachment = await storeAttachment(c.get('ctx'), caller, sessionIdOf(c), {
        name: c.req.query('name') ?? 'file',
        type: c.req.header('content-type'),
        data,
      })
      return c.json({ attachment }, 201)
    },
  )

/** `GET /v1/attachments/:id`: a file, as a download that never renders in the API's origin. */
export const attachmentRoutes = new Hono<Env>().get('/:id', async (c) => {
  const caller = await requireCaller(c)
  const { attachment, stream } = await openAttachment(c.get('ctx'), caller, c.req.param('id'))
  return new Response(stream as ReadableStream, {
    headers: {
      'content-type': attachment.type,
      'content-length': String(attachment.size),
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(attachment.name)}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, no-store',
    },
  })
})

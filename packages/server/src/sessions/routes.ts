import {
  ClientId,
  LIMITS,
  MessagesQuery,
  RateRequest,
  ReadRequest,
  SendMessageRequest,
  StartSessionRequest,
} from '@suportra/client/protocol'
import { Hono } from 'hono'
import { deleteTranscript } from '../account/account.js'
import { conflict } from '../http/errors.js'
import { consume } from '../http/rate-limit.js'
import {
  type C,
  type Env,
  expectNoBody,
  limitBody,
  parse,
  readJson,
  requireCaller,
  requireCustomer,
} from '../http/request.js'
import { checkUploadQuota, storeAttachment } from '../messages/attachments.js'
import { listMessages, sendMessage } from '../messages/messages.js'
import { cancelSession, closeSession, startSession, upgradeToVideo } from './lifecycle.js'
import { loadSession, sessionQuery, toSession } from './sessions.js'

const sessionIdOf = (c: C) => c.req.param('id') ?? ''

export const sessionRoutes = new Hono<Env>()
  .post('/', async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireCustomer(c, 'start sessions')
    const input = await readJson(c, StartSessionRequest)
    const key = c.req.header('idempotency-key')
    const { session, created } = await startSession(
      ctx,
      caller,
      input,
      key === undefined ? undefined : parse(ClientId, key, 'Idempotency-Key'),
    )
    return c.json({ session }, created ? 201 : 200)
  })

  .get('/', async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireCaller(c)
    const rows = await sessionQuery(ctx.store)
      .where((eb) => eb.or([eb('s.user_id', '=', caller.userId), eb('s.builder_id', '=', caller.userId)]))
      .orderBy('s.created_at', 'desc')
      .limit(200)
      .execute()
    return c.json({ sessions: await Promise.all(rows.map((row) => toSession(ctx, row))) })
  })

  .get('/:id', async (c) => {
    const ctx = c.get('ctx')
    const { row } = await loadSession(ctx, await requireCaller(c), sessionIdOf(c))
    return c.json({ session: await toSession(ctx, row) })
  })

  .post('/:id/cancel', async (c) => {
    const caller = await requireCaller(c)
    await expectNoBody(c)
    const session = await cancelSession(c.get('ctx'), caller, sessionIdOf(c))
    return c.json({ session })
  })

  .post('/:id/video', async (c) => {
    const caller = await requireCaller(c)
    await expectNoBody(c)
    const session = await upgradeToVideo(c.get('ctx'), caller, sessionIdOf(c))
    return c.json({ session })
  })

  .delete('/:id/transcript', async (c) => {
    const caller = await requireCaller(c)
    await expectNoBody(c)
    await deleteTranscript(c.get('ctx'), caller, sessionIdOf(c))
    return c.json({ ok: true })
  })

  .post('/:id/close', async (c) => {
    const caller = await requireCaller(c)
    await expectNoBody(c)
    const session = await closeSession(c.get('ctx'), caller, sessionIdOf(c))
    return c.json({ session })
  })

  .post('/:id/rating', async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireCaller(c)
    const { row } = await loadSession(ctx, caller, sessionIdOf(c), ['owner'])
    const input = await readJson(c, RateRequest)
    if (row.status !== 'closed') throw conflict('Rate a session once it has been closed')
    await ctx.store.db
      .updateTable('sessions')
      .set({ rating_score: input.score, rating_comment: input.comment ?? null })
      .where('id', '=', row.id)
      .execute()
    const session = await toSession(ctx, {
      ...row,
      rating_score: input.score,
      rating_comment: input.comment ?? null,
    })
    return c.json({ session })
  })

  .post('/:id/read', async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireCaller(c)
    const { row, access } = await loadSession(ctx, caller, sessionIdOf(c), ['owner', 'builder'])
    const { seq } = await readJson(c, ReadRequest)
    const author = access === 'owner' ? 'user' : 'builder'
    const column = access === 'owner' ? 'user_read_seq' : 'builder_read_seq'
    const upTo = Math.min(seq, row.last_seq)
    await ctx.store.db
      .updateTable('sessions')
      .set({ [column]: upTo })
      .where('id', '=', row.id)
      .where(column, '<', upTo)
      .execute()
    ctx.bus.publish({
      kind: 'event',
      users: [row.user_id, row.builder_id].filter((id): id is string => id !== null && id !== caller.userId),
      event: { type: 'read', sessionId: row.id, author, seq: upTo },
    })
    return c.json({ ok: true })
  })

  .post('/:id/typing', async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireCaller(c)
    await expectNoBody(c)
    const { row, access } = await loadSession(ctx, caller, sessionIdOf(c), ['owner', 'builder'])
    const allowed = await ctx.limits.typing.consume(caller.userId).then(
      () => true,
      () => false,
    )
    const other = access === 'owner' ? row.builder_id : row.user_id
    if (allowed && other && row.status !== 'closed' && row.status !== 'cancelled') {
      ctx.bus.publish({
        kind: 'event',
        users: [other],
        event: {
          type: 'typing',
          sessionId: row.id,
          author: access === 'owner' ? 'user' : 'builder',
          userId: caller.userId,
        },
      })
    }
    return c.json({ ok: true })
  })

  .get('/:id/messages', async (c) => {
    const caller = await requireCaller(c)
    const query = parse(MessagesQuery, c.req.query(), 'Query')
    return c.json(await listMessages(c.get('ctx'), caller, sessionIdOf(c), query))
  })

  .post('/:id/messages', async (c) => {
    const ctx = c.get('ctx')
    const caller = await requireCaller(c)
    const input = await readJson(c, SendMessageRequest)
    const { message, created } = await sendMessage(ctx, caller, sessionIdOf(c), input, () =>
      consume(ctx.limits.send, caller.userId, 'messages'),
    )
    return c.json({ message }, created ? 201 : 200)
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

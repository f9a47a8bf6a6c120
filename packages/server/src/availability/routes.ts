import { type Availability, BuilderAvailabilityRequest } from '@suportra/protocol'
import { Hono } from 'hono'
import { invalid } from '../errors.js'
import { type Env, readJson, requireApp, requireBuilder } from '../http/request.js'
import { availabilityOf } from './availability.js'
import { presenceOf } from './presence.js'

/**
 * Answers are shared per app and tool for up to this long, while nothing availability depends on has
 * changed (`Presence.generation`): every widget open asks, and a flood costs no queries.
 */
const FRESH_MS = 1_000
const answers = new WeakMap<
  object,
  Map<string, { at: number; generation: number; answer: Promise<Availability> }>
>()

/** `GET /v1/availability?tool=`: whether builders are there for the app (`X-Suportra-App`); no sign-in. */
export const availabilityRoutes = new Hono<Env>().get('/', async (c) => {
  const app = await requireApp(c)
  const ctx = c.get('ctx')
  const tool = c.req.query('tool')
  if (tool !== undefined && !ctx.config.tools.some((t) => t.id === tool))
    throw invalid(`Unknown tool "${tool.slice(0, 40)}" (GET /v1/tools lists them)`)
  const cache = answers.get(ctx) ?? new Map()
  answers.set(ctx, cache)
  const key = `${app.id} ${tool ?? ''}`
  const presence = presenceOf(ctx)
  const generation = presence?.generation ?? 0
  let entry = cache.get(key)
  if (!entry || entry.generation !== generation || Date.now() - entry.at > FRESH_MS) {
    const builders = presence?.builders() ?? new Map()
    entry = { at: Date.now(), generation, answer: availabilityOf(ctx, app.id, tool, builders) }
    cache.set(key, entry)
    // A failure is not kept.
    entry.answer.catch(() => cache.delete(key))
  }
  return c.json(await entry.answer)
})

/** `/v1/builder/availability`: the builder's available/away switch (kept across sign-ins). */
export const builderAvailabilityRoutes = new Hono<Env>()
  .get('/', async (c) => {
    const caller = await requireBuilder(c)
    const row = await c
      .get('ctx')
      .store.db.selectFrom('users')
      .select('available')
      .where('id', '=', caller.userId)
      .executeTakeFirst()
    return c.json({ available: row?.available !== 0 })
  })
  .post('/', async (c) => {
    const caller = await requireBuilder(c)
    const { available } = await readJson(c, BuilderAvailabilityRequest)
    const ctx = c.get('ctx')
    await ctx.store.db
      .updateTable('users')
      .set({ available: available ? 1 : 0 })
      .where('id', '=', caller.userId)
      .execute()
    ctx.bus.publish({ kind: 'availability' })
    return c.json({ available })
  })

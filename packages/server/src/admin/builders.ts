import type { Context } from '../context.js'
import { transition } from '../sessions/announce.js'
import { notifyQueue } from '../sessions/notify.js'
import { parseTools } from '../users/users.js'

/** `builders list`: every builder, with the tools they cover and whether they are deactivated. */
export async function listBuilders(ctx: Context) {
  const rows = await ctx.store.db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'tools', 'deactivated_at', 'created_at'])
    .where('role', '=', 'builder')
    .orderBy('created_at')
    .execute()
  return rows.map((r) => ({ ...r, tools: parseTools(r.tools) }))
}

async function builderByEmail(ctx: Context, email: string) {
  const row = await ctx.store.db
    .selectFrom('users')
    .select(['id', 'email', 'deactivated_at'])
    .where('login_email', '=', email.toLowerCase())
    .where('role', '=', 'builder')
    .executeTakeFirst()
  if (!row) throw new Error(`No builder with the email ${email} (see builders list)`)
  return row
}

/** `builders set-tools`: replaces the tools a builder covers. */
export async function setBuilderTools(ctx: Context, email: string, tools: string[]) {
  const known = new Set(ctx.config.tools.map((tool) => tool.id))
  const unknown = tools.filter((tool) => !known.has(tool))
  if (tools.length === 0 || unknown.length > 0)
    throw new Error(
      `Give known tools with --tools (unknown: ${unknown.join(', ') || 'none given'}; known: ${[...known].join(', ')})`,
    )
  const builder = await builderByEmail(ctx, email)
  await ctx.store.db
    .updateTable('users')
    .set({ tools: JSON.stringify(tools) })
    .where('id', '=', builder.id)
    .execute()
  return { id: builder.id, tools }
}

/**
 * `builders deactivate`: the builder can no longer sign in, their sign-ins are revoked (their sockets
 * close), and each session they were serving goes back to the queue with a system message, so another
 * builder can claim it. The user's hold was captured when the builder joined and stays so: the next
 * claim does not charge again.
 */
export async function deactivateBuilder(ctx: Context, email: string) {
  const builder = await builderByEmail(ctx, email)
  const now = Date.now()
  const familyIds = await ctx.store.transaction(async (tx) => {
    await tx.updateTable('users').set({ deactivated_at: now }).where('id', '=', builder.id).execute()
    const families = await tx
      .updateTable('refresh_families')
      .set({ revoked_at: now, revoked_reason: 'deactivated' })
      .where('user_id', '=', builder.id)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute()
    return families.map((f) => f.id)
  })
  if (familyIds.length > 0) ctx.bus.publish({ kind: 'revoke', userId: builder.id, familyIds })
  const active = await ctx.store.db
    .selectFrom('sessions')
    .select('id')
    .where('builder_id', '=', builder.id)
    .where('status', '=', 'active')
    .execute()
  const requeued: string[] = []
  for (const { id } of active) {
    const { session } = await transition(ctx, id, async (tx) => {
      await tx
        .updateTable('sessions')
        .set({ status: 'waiting', builder_id: null, assigned_at: null })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .execute()
      return 'requeued'
    })
    notifyQueue(ctx, 'added', session)
    requeued.push(id)
  }
  return { id: builder.id, requeued }
}

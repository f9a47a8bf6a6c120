import { hashPassword } from '../auth/passwords.js'
import type { Context } from '../context.js'
import { createPasswordUser, parseTools } from '../users/users.js'

/** `apps create`: registers a vendor app and returns its id and identity secret. */
export async function createApp(
  ctx: Context,
  input: { name: string; origins: string[]; identityRequired: boolean },
) {
  if (input.origins.length === 0) throw new Error('Give at least one --origin (e.g. https://app.example.com)')
  for (const origin of input.origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new Error(`Not an origin: ${origin} (scheme://host[:port], no path)`)
  }
  return ctx.apps.create({
    name: input.name,
    allowedOrigins: input.origins,
    identityRequired: input.identityRequired,
  })
}

export async function listApps(ctx: Context) {
  return [...(await ctx.apps.all()).values()]
}

/** `builders add`: creates a builder account covering `tools`. */
export async function addBuilder(
  ctx: Context,
  input: { name: string; email: string; password: string; tools: string[] },
) {
  const known = new Set(ctx.config.tools.map((tool) => tool.id))
  const unknown = input.tools.filter((tool) => !known.has(tool))
  if (unknown.length > 0)
    throw new Error(`Unknown tools: ${unknown.join(', ')} (known: ${[...known].join(', ')})`)
  if (input.password.length < 8) throw new Error('The password needs at least 8 characters')
  const user = await createPasswordUser(ctx.store, {
    name: input.name,
    email: input.email,
    passwordHash: await hashPassword(input.password, ctx.config.scryptCost),
    role: 'builder',
    tools: input.tools.length > 0 ? input.tools : [...known],
  })
  return { id: user.id, email: user.email, tools: parseTools(user.tools) }
}

/** `audits list`: stack audit requests, newest first. */
export function listAudits(ctx: Context) {
  return ctx.store.db.selectFrom('audits').selectAll().orderBy('created_at', 'desc').limit(500).execute()
}

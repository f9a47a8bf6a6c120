import type { User } from '@suportra/protocol'
import type { Database } from '../db/database.js'
import type { UserRow } from '../db/schema.js'
import { conflict } from '../errors.js'
import { newId } from '../ids.js'

/** The tools a builder covers, from the `users.tools` column (a JSON array of tool ids). */
export function parseTools(column: string): string[] {
  return JSON.parse(column) as string[]
}

/** The tools a builder covers (none for anyone else). */
export async function toolsOf(store: Database, userId: string): Promise<string[]> {
  const row = await store.db
    .selectFrom('users')
    .select(['role', 'tools'])
    .where('id', '=', userId)
    .executeTakeFirst()
  return row?.role === 'builder' ? parseTools(row.tools) : []
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    tools: parseTools(row.tools),
    createdAt: row.created_at,
    managed: row.external_id !== null,
  }
}

export function findUser(store: Database, id: string): Promise<UserRow | undefined> {
  return store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findByLogin(store: Database, email: string): Promise<UserRow | undefined> {
  return store.db
    .selectFrom('users')
    .selectAll()
    .where('login_email', '=', email.toLowerCase())
    .executeTakeFirst()
}

export async function createPasswordUser(
  store: Database,
  input: {
    name: string
    email: string
    passwordHash: string
    role?: 'user' | 'builder'
    tools?: string[]
    /** When the person confirmed they are 16 or older (sign-up). */
    ageConfirmedAt?: number
  },
): Promise<UserRow> {
  const row: UserRow = {
    id: newId('usr'),
    name: input.name,
    email: input.email,
    login_email: input.email.toLowerCase(),
    password_hash: input.passwordHash,
    role: input.role ?? 'user',
    tools: JSON.stringify(input.tools ?? []),
    app_id: null,
    external_id: null,
    created_at: Date.now(),
    age_confirmed_at: input.ageConfirmedAt ?? null,
    deactivated_at: null,
    locale: null,
    available: 1,
    seen_at: null,
  }
  const inserted = await store.db
    .insertInto('users')
    .values(row)
    .onConflict((oc) => oc.column('login_email').doNothing())
    .executeTakeFirst()
  if (inserted.numInsertedOrUpdatedRows === 0n) throw conflict('An account with this email already exists')
  return row
}

/** Finds or creates the user a vendor identified, refreshing the name and email they sent. */
export async function upsertIdentifiedUser(
  store: Database,
  input: { appId: string; externalId: string; name?: string | undefined; email?: string | undefined },
): Promise<UserRow> {
  const name = input.name ?? input.email?.split('@')[0] ?? 'Guest'
  const changes = {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.email !== undefined && { email: input.email }),
  }
  await store.db
    .insertInto('users')
    .values({
      id: newId('usr'),
      name,
      email: input.email ?? null,
      login_email: null,
      password_hash: null,
      role: 'user',
      tools: '[]',
      app_id: input.appId,
      external_id: input.externalId,
      created_at: Date.now(),
    })
    .onConflict((oc) => {
      const existing = oc.columns(['app_id', 'external_id'])
      return Object.keys(changes).length > 0 ? existing.doUpdateSet(changes) : existing.doNothing()
    })
    .execute()
  return store.db
    .selectFrom('users')
    .selectAll()
    .where('app_id', '=', input.appId)
    .where('external_id', '=', input.externalId)
    .executeTakeFirstOrThrow()
}

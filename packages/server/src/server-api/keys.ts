import { createHash } from 'node:crypto'
import type { Database } from '../db/database.js'
import { newId, newSecret } from '../ids.js'

/**
 * Server API keys: `sk_` and 32 random bytes, several per app (rotate by creating a new one and
 * revoking the old). Only a SHA-256 of each key is stored. A fast hash is right here, unlike for
 * passwords: a key carries 256 bits of randomness, so nobody can guess keys to match a leaked hash,
 * however fast they hash; a slow hash (scrypt) only helps against guessing low-entropy secrets, and
 * would cost every API request tens of milliseconds. The hash is also the lookup: no comparison of
 * secrets happens in application code to leak time.
 */
export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex')

export interface ApiKeyInfo {
  id: string
  appId: string
  name: string
  /** The first characters of the key, to tell keys apart. */
  prefix: string
  createdAt: number
  lastUsedAt: number | null
  revokedAt: number | null
}

/** Creates a key for `appId` and returns it in full: this is the only time it is shown. */
export async function createApiKey(
  store: Database,
  input: { appId: string; name: string; key?: string },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const key = input.key ?? `sk_${newSecret(32)}`
  const info: ApiKeyInfo = {
    id: newId('key'),
    appId: input.appId,
    name: input.name,
    prefix: key.slice(0, 8),
    createdAt: Date.now(),
    lastUsedAt: null,
    revokedAt: null,
  }
  await store.db
    .insertInto('api_keys')
    .values({
      id: info.id,
      app_id: info.appId,
      name: info.name,
      key_hash: hashKey(key),
      prefix: info.prefix,
      created_at: info.createdAt,
      last_used_at: null,
      revoked_at: null,
    })
    .execute()
  return { key, info }
}

export async function listApiKeys(store: Database, appId: string): Promise<ApiKeyInfo[]> {
  const rows = await store.db
    .selectFrom('api_keys')
    .selectAll()
    .where('app_id', '=', appId)
    .orderBy('created_at')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    appId: row.app_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  }))
}

/** Revokes a key at once (its next request gets 401). False if there is no such key or it was revoked. */
export async function revokeApiKey(store: Database, id: string): Promise<boolean> {
  const result = await store.db
    .updateTable('api_keys')
    .set({ revoked_at: Date.now() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** How often `last_used_at` is written (not on every request). */
const TOUCH_MS = 60_000

/** The app and key id a key stands for, or undefined if it is unknown or revoked. */
export async function findApiKey(
  store: Database,
  key: string,
): Promise<{ id: string; appId: string } | undefined> {
  const row = await store.db
    .selectFrom('api_keys')
    .select(['id', 'app_id', 'last_used_at'])
    .where('key_hash', '=', hashKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  if (!row) return undefined
  const now = Date.now()
  if (row.last_used_at === null || now - Number(row.last_used_at) > TOUCH_MS) {
    await store.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute()
  }
  return { id: row.id, appId: row.app_id }
}

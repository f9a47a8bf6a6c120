import { createHash } from 'node:crypto'
import { IDEMPOTENCY_KEY_MAX } from '@suportra/protocol/server-api'
import type { Context } from '../context.js'
import { isUniqueViolation, type Tx } from '../db/database.js'
import { DomainError, invalid } from '../errors.js'

/** What a server API request answered: kept under its `Idempotency-Key` and replayed for 24 hours. */
export interface Answer {
  status: number
  body: unknown
  /** True when this is the stored answer of an earlier request with the same key. */
  replayed?: boolean
}

/** The request an idempotency key belongs to: the app, the key, and a hash of method, path and body. */
export interface Scope {
  appId: string
  key: string | undefined
  request: string
}

const KEY = new RegExp(`^[\\x21-\\x7e]{1,${IDEMPOTENCY_KEY_MAX}}$`)

/** Checks an `Idempotency-Key` header: absent is fine; present, it must be 1–255 printable ASCII characters. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  if (!KEY.test(header)) {
    throw invalid(
      `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces (a UUID is a good choice)`,
    )
  }
  return header
}

/**
 * Runs a change at most once per `Idempotency-Key`: the first request's answer is stored in the
 * change's own transaction, so the change and its answer commit together; a repeat (sequential or
 * concurrent) gets that answer back, marked `replayed`, and changes nothing. The same key with
 * another request (method, path or body) is refused with 409 `conflict`. Failures are not stored: a
 * retry after a 4xx runs again. Without a key, `run` simply runs in a transaction.
 */
export async function idempotent(
  ctx: Context,
  scope: Scope,
  run: (tx: Tx) => Promise<Answer>,
): Promise<Answer> {
  const { key } = scope
  if (key === undefined) return ctx.store.transaction(run)
  const fingerprint = createHash('sha256').update(scope.request).digest('hex')
  const earlier = await replay(ctx, scope.appId, key, fingerprint)
  if (earlier) return earlier
  try {
    return await ctx.store.transaction(async (tx) => {
      const answer = await run(tx)
      await tx
        .insertInto('idempotency_keys')
        .values({
          app_id: scope.appId,
          key,
          fingerprint,
          status: answer.status,
          body: JSON.stringify(answer.body),
          created_at: Date.now(),
        })
        .execute()
      return answer
    })
  } catch (error) {
    // A concurrent request with the same key committed first: answer as it did.
    if (!isUniqueViolation(error)) throw error
    const winner = await replay(ctx, scope.appId, key, fingerprint)
    if (!winner) throw error
    return winner
  }
}

async function replay(
  ctx: Context,
  appId: string,
  key: string,
  fingerprint: string,
): Promise<Answer | undefined> {
  const row = await ctx.store.db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('app_id', '=', appId)
    .where('key', '=', key)
    .executeTakeFirst()
  if (!row) return undefined
  if (row.fingerprint !== fingerprint) {
    throw new DomainError(
      'conflict',
      'This Idempotency-Key was already used with another request; use a new key for a new request',
      { details: { reason: 'idempotency_key_reused' } },
    )
  }
  return { status: row.status, body: JSON.parse(row.body), replayed: true }
}

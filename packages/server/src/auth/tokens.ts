import { errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import type { Caller } from '../caller.js'
import type { Config } from '../config.js'
import type { Database } from '../db/database.js'
import type { UserRow } from '../db/schema.js'
import { DomainError, unauthorized } from '../errors.js'
import { newId, newSecret, sha256 } from '../ids.js'
import { TokenCache } from './token-cache.js'

export type { Caller }

export interface IssuedTokens {
  accessToken: string
  refreshToken: string
  expiresIn: number
}

const ISSUER = 'suportra'
const AUDIENCE = 'suportra-api'

/**
 * Access tokens are short-lived HS256 JWTs. Refresh tokens are opaque, stored hashed, and rotate on
 * every use; each sign-in starts a family. Presenting a refresh token that was already rotated
 * (outside a short grace window for concurrent refreshes) revokes the whole family.
 */
export class TokenService {
  readonly #key: Promise<CryptoKey>
  readonly #store: Database
  readonly #config: Config
  readonly #onRevoke: (familyIds: string[], userId: string) => void
  /** Verified access tokens; the bus's revocations reach it through `hear` (server.ts subscribes it). */
  readonly verified = new TokenCache()

  constructor(
    secret: string,
    store: Database,
    config: Config,
    onRevoke: (familyIds: string[], userId: string) => void,
  ) {
    // Imported once: given raw bytes, jose would import a WebCrypto key on every request (which
    // dominated the request profile).
    this.#key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    )
    this.#store = store
    this.#config = config
    this.#onRevoke = onRevoke
  }

  /** Starts a new sign-in (a refresh-token family) for `user` in `appId`. */
  async signIn(user: Pick<UserRow, 'id' | 'role'>, appId: string): Promise<IssuedTokens> {
    const familyId = newId('fam')
    await this.#store.db
      .insertInto('refresh_families')
      .values({
        id: familyId,
        user_id: user.id,
        app_id: appId,
        created_at: Date.now(),
        revoked_at: null,
        revoked_reason: null,
      })
      .execute()
    return this.#issue({ userId: user.id, role: user.role, appId, familyId })
  }

  /**
   * Verifies an access token (`exp` required: a token without one would never expire) and that its
   * sign-in has not been revoked. `expiresAt` is when the token expires, in epoch ms.
   */
  async verify(token: string): Promise<Caller & { expiresAt: number }> {
    const known = this.verified.get(token)
    if (known) return { ...known }
    const generation = this.verified.generation
    let payload: Record<string, unknown>
    try {
      ;({ payload } = await jwtVerify(token, await this.#key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['exp'],
      }))
    } catch (error) {
      throw error instanceof joseErrors.JWTExpired
        ? new DomainError('unauthorized', 'Access token expired; refresh it', {
            details: { reason: 'expired' },
          })
        : new DomainError('unauthorized', 'Invalid access token', { details: { reason: 'invalid' } })
    }
    const caller = {
      userId: String(payload.sub),
      role: payload.role === 'builder' ? 'builder' : 'user',
      appId: String(payload.app),
      familyId: String(payload.fam),
      expiresAt: Number(payload.exp) * 1000,
    } as const
    const family = await this.#store.db
      .selectFrom('refresh_families')
      .select('revoked_at')
      .where('id', '=', caller.familyId)
      .executeTakeFirst()
    if (!family || family.revoked_at !== null) {
      throw new DomainError('unauthorized', 'This sign-in was revoked; sign in again', {
        details: { reason: 'revoked' },
      })
    }
    this.verified.set(token, Object.freeze({ ...caller }), generation)
    return caller
  }

  /** Rotates a refresh token. */
  async refresh(refreshToken: string): Promise<IssuedTokens & { userId: string }> {
    const now = Date.now()
    const hash = sha256(refreshToken)
    const row = await this.#store.db
      .selectFrom('refresh_tokens as t')
      .innerJoin('refresh_families as f', 'f.id', 't.family_id')
      .innerJoin('users as u', 'u.id', 'f.user_id')
      .select(['t.family_id', 't.expires_at', 't.used_at', 'f.revoked_at', 'f.user_id', 'f.app_id', 'u.role'])
      .where('t.token_hash', '=', hash)
      .executeTakeFirst()
    if (!row || row.revoked_at !== null || row.expires_at <= now)
      throw unauthorized('Refresh token is invalid or expired')

    const claimed = await this.#store.db
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst()
    if (claimed.numUpdatedRows === 0n) {
      const used = await this.#store.db
        .selectFrom('refresh_tokens')
        .select('used_at')
        .where('token_hash', '=', hash)
        .executeTakeFirstOrThrow()
      if (now - (used.used_at ?? now) > this.#config.refreshGraceMs) {
        await this.revokeFamily(row.family_id, 'refresh_token_reuse')
        throw unauthorized('Refresh token was already used; signed out for safety')
      }
    }
    const tokens = await this.#issue({
      userId: row.user_id,
      role: row.role,
      appId: row.app_id,
      familyId: row.family_id,
    })
    return { ...tokens, userId: row.user_id }
  }

  async revokeFamily(familyId: string, reason: string): Promise<void> {
    const family = await this.#store.db
      .updateTable('refresh_families')
      .set({ revoked_at: Date.now(), revoked_reason: reason })
      .where('id', '=', familyId)
      .where('revoked_at', 'is', null)
      .returning('user_id')
      .executeTakeFirst()
    if (family) this.#onRevoke([familyId], family.user_id)
  }

  /** Ends the sign-in `refreshToken` belongs to; nothing if no sign-in has it. */
  async revokeByRefreshToken(refreshToken: string, reason: string): Promise<void> {
    const row = await this.#store.db
      .selectFrom('refresh_tokens')
      .select('family_id')
      .where('token_hash', '=', sha256(refreshToken))
      .executeTakeFirst()
    if (row) await this.revokeFamily(row.family_id, reason)
  }

  /** Signs the user out everywhere. */
  async revokeUser(userId: string, reason: string): Promise<void> {
    const families = await this.#store.db
      .updateTable('refresh_families')
      .set({ revoked_at: Date.now(), revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute()
    if (families.length > 0)
      this.#onRevoke(
        families.map((f) => f.id),
        userId,
      )
  }

  async #issue(caller: Caller): Promise<IssuedTokens> {
    const now = Date.now()
    const refreshToken = `rt_${newSecret()}`
    await this.#store.db
      .insertInto('refresh_tokens')
      .values({
        token_hash: sha256(refreshToken),
        family_id: caller.familyId,
        created_at: now,
        expires_at: now + this.#config.refreshTokenTtlSeconds * 1000,
        used_at: null,
      })
      .execute()
    const accessToken = await new SignJWT({ role: caller.role, app: caller.appId, fam: caller.familyId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(caller.userId)
      .setJti(newId('jti', 9))
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.#config.accessTokenTtlSeconds}s`)
      .sign(await this.#key)
    return { accessToken, refreshToken, expiresIn: this.#config.accessTokenTtlSeconds }
  }
}

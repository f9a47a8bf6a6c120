import { createSecretKey } from 'node:crypto'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import * as z from 'zod/mini'
import { invalid, unauthorized } from '../errors.js'

/** Longest lifetime a vendor identity token may have. */
export const MAX_IDENTITY_TTL_SECONDS = 24 * 60 * 60
const CLOCK_TOLERANCE_SECONDS = 30

const IdentityClaims = z.object({
  sub: z.string().check(z.minLength(1), z.maxLength(200)),
  exp: z.number(),
  iat: z.optional(z.number()),
  name: z.optional(z.string().check(z.maxLength(100))),
  email: z.optional(z.email().check(z.maxLength(254))),
  aud: z.optional(z.union([z.string(), z.array(z.string())])),
})
export type IdentityClaims = z.infer<typeof IdentityClaims>

/**
 * Verifies a vendor-signed identity token: HS256 only (the algorithm is pinned, `none` and RS/ES
 * are refused), signed with the app's identity secret, `exp` required and at most 24 hours away.
 * If `aud` is present it must name the app.
 */
export async function verifyIdentityToken(
  token: string,
  appId: string,
  secret: string,
): Promise<IdentityClaims> {
  let alg: unknown
  try {
    alg = decodeProtectedHeader(token).alg
  } catch {
    throw unauthorized('Identity token is not a JWT')
  }
  if (alg !== 'HS256') throw unauthorized(`Identity token must be signed with HS256, not ${String(alg)}`)

  let payload: unknown
  try {
    ;({ payload } = await jwtVerify(token, createSecretKey(Buffer.from(secret)), {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }))
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'invalid'
    throw unauthorized(`Identity token rejected (${reason})`)
  }

  const parsed = IdentityClaims.safeParse(payload)
  if (!parsed.success) throw invalid('Identity token claims are malformed')
  const claims = parsed.data
  const now = Date.now() / 1000
  const lifetime = claims.exp - (claims.iat ?? now)
  if (
    claims.exp - now > MAX_IDENTITY_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS ||
    lifetime > MAX_IDENTITY_TTL_SECONDS
  ) {
    throw unauthorized('Identity token lives longer than 24 hours; use a shorter exp')
  }
  if (claims.aud !== undefined && ![claims.aud].flat().includes(appId)) {
    throw unauthorized('Identity token audience does not match this app')
  }
  return claims
}

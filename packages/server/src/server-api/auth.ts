import { EXTERNAL_ID_MAX } from '@suportra/protocol/server-api'
import { forbidden, invalid, unauthorized } from '../errors.js'
import { type C, clientIp } from '../http/request.js'
import { consume } from '../rate-limit.js'
import { findApiKey } from './keys.js'

/** The app a server API request acts for, proven by its key. */
export interface ServerCaller {
  appId: string
  keyId: string
}

/**
 * The server key of a `/v1/server/…` request (`Authorization: Bearer sk_…`): 401 if missing, unknown
 * or revoked (counted per IP: 429 after 30 a minute), 429 past the key's rate limit, and 403 for any
 * request from a browser (it carries `Origin`): a server key in a web page is a leaked key.
 */
export async function requireServerKey(c: C): Promise<ServerCaller> {
  const ctx = c.get('ctx')
  if (c.req.header('origin') !== undefined) {
    throw forbidden('The server API is for your backend; never use a server key in a browser')
  }
  const token = c.req.header('authorization')?.match(/^Bearer (sk_[\w-]{1,200})$/)?.[1]
  const key = token === undefined ? undefined : await findApiKey(ctx.store, token)
  if (!key) {
    await consume(ctx.limits.serverApiFailures, clientIp(c), 'requests without a valid server key')
    throw unauthorized(
      token === undefined
        ? 'Send your server key: Authorization: Bearer sk_…'
        : 'This server key is not valid (unknown or revoked)',
    )
  }
  await consume(ctx.limits.serverApi, key.id, 'server API requests')
  return { appId: key.appId, keyId: key.id }
}

/** The `{externalId}` of a path: the vendor's user id, 1 to 200 characters. */
export function externalIdOf(c: C): string {
  const externalId = c.req.param('externalId') ?? ''
  if (externalId.length < 1 || externalId.length > EXTERNAL_ID_MAX) {
    throw invalid(`externalId must be 1 to ${EXTERNAL_ID_MAX} characters`)
  }
  return externalId
}

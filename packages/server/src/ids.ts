import { createHash, randomBytes } from 'node:crypto'

/** A random, URL-safe id with a readable prefix, e.g. `ses_4fQk…`. */
export function newId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`
}

/** A random secret (tokens, identity secrets). */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url')
}

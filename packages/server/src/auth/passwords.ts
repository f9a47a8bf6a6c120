import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

const KEY_LENGTH = 32
const BLOCK_SIZE = 8
const MAX_MEMORY = 512 * 1024 * 1024

let derived = 0

/**
 * How many scrypt derivations this process has started (hashes and checks alike). Tests read it to
 * see that a path hashes, without timing it: an unknown email at sign-in must cost a hash too.
 */
export function scryptRuns(): number {
  return derived
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  derived++
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )
}

/**
 * Hashes a password with scrypt (memory-hard). The result carries its parameters,
 * `scrypt$N$r$p$salt$hash`, so the cost can be raised later without breaking old hashes.
 */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, { N: cost, r: BLOCK_SIZE, p: 1 })
  return ['scrypt', cost, BLOCK_SIZE, 1, salt.toString('base64'), key.toString('base64')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const key = await derive(password, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  })
  return key.length === expected.length && timingSafeEqual(key, expected)
}

const decoys = new Map<number, Promise<string>>()

/**
 * A hash to compare against when the email is unknown (one per cost, made once), so that a miss
 * costs as much as a wrong password and does not tell which emails have an account.
 */
export function decoyHash(cost: number): Promise<string> {
  let hash = decoys.get(cost)
  if (!hash) {
    // Of a random password nobody knows: no guess matches it, so an unknown email never "succeeds".
    hash = hashPassword(randomBytes(32).toString('base64url'), cost)
    decoys.set(cost, hash)
    hash.catch(() => decoys.delete(cost))
  }
  return hash
}

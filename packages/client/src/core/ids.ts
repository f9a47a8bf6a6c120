/** A random id for messages and idempotency keys (works without a secure context). */
export function clientId(prefix = 'c'): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  let out = ''
  for (const byte of bytes) out += (byte & 63).toString(36).padStart(2, '0')
  return `${prefix}_${out}`
}

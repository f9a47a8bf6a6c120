/** Every error code a Suportra call can end with. `network` and `protocol` are raised by the client only. */
export const ERROR_CODES = [
  'unauthorized',
  'forbidden',
  'not_found',
  'validation',
  'insufficient_credits',
  'rate_limited',
  'conflict',
  'network',
  'server',
  'protocol',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** HTTP status the server answers with for each code. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  validation: 400,
  insufficient_credits: 402,
  rate_limited: 429,
  conflict: 409,
  network: 0,
  server: 500,
  protocol: 502,
}

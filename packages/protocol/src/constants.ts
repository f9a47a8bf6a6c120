/**
 * `@suportra/protocol/constants`: the parts of the wire contract that are plain values — limits, error
 * codes and their HTTP statuses, socket close codes, the context parts and the realtime event types.
 * No zod: a browser bundle can import these without the schemas.
 */
export * from './account-limits.js'
export * from './close-codes.js'
export * from './context-parts.js'
export * from './error-codes.js'
export * from './event-types.js'
export * from './limits.js'
export * from './message-limits.js'
export * from './patch-limits.js'

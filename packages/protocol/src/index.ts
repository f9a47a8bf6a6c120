/**
 * `@suportra/protocol`: the Suportra wire contract. Zod schemas for every request, response, error and
 * realtime event, which the client and the server both validate with, and the plain constants of
 * `@suportra/protocol/constants`.
 */

export * from './account-export.js'
export * from './availability.js'
export * from './batch.js'
export * from './constants.js'
export * from './context.js'
export * from './errors.js'
export * from './frames.js'
export * from './models.js'
export * from './patch.js'
export * from './realtime.js'
export * from './requests.js'
export * from './responses.js'

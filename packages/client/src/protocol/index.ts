/**
 * The Suportra wire contract: zod schemas for every request, response, error and realtime event.
 * Client and server both validate with these schemas.
 */
export * from './account-export.js'
export * from './context.js'
export * from './errors.js'
export * from './frames.js'
export * from './limits.js'
export * from './models.js'
export * from './realtime.js'
export * from './requests.js'
export * from './responses.js'

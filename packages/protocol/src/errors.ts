import * as z from 'zod/mini'
import { ERROR_CODES, type ErrorCode } from './error-codes.js'

/**
 * The body of every non-2xx response: `{ error: { code, message, details? } }`. `details` is an
 * object when present; it rides along unchecked (a loose object keeps unknown keys).
 */
export const ErrorBody = z.object({
  error: z.looseObject({ code: z.enum(ERROR_CODES), message: z.string() }),
})
export type ErrorBody = { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } }

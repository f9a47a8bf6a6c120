/**
 * The batch send's request, in a module of its own: the client (which never parses requests) does
 * not bundle it. Its answer is `BatchResponse` (responses.ts).
 */
import * as z from 'zod/mini'
import { LIMITS } from './limits.js'
import { SendMessageRequest } from './requests.js'

/**
 * `POST /v1/sessions/{id}/messages/batch`: up to `LIMITS.batchMessages` messages, stored in this
 * order in one transaction, each once per id like a single send (a retried batch gets back what
 * was stored, nothing twice). Ids must differ within a batch.
 */
export const SendBatchRequest = z.strictObject({
  messages: z
    .array(SendMessageRequest)
    .check(z.minLength(1), z.maxLength(LIMITS.batchMessages))
    .check(
      z.refine((messages) => new Set(messages.map((m) => m.id)).size === messages.length, {
        message: 'Each message of a batch needs its own id',
      }),
    ),
})
export type SendBatchRequest = z.input<typeof SendBatchRequest>

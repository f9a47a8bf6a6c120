import * as z from 'zod/mini'
import type { ContextPart } from './context-parts.js'
import { CONTEXT_LIMITS } from './limits.js'

const text = (max: number) => z.string().check(z.maxLength(max))
const url = z.url().check(z.maxLength(CONTEXT_LIMITS.url))

/**
 * What the user was doing, handed to the builder with the session: the page, the tool, the project,
 * the current file and selection, the error, the diff, terminal output and an excerpt of the
 * conversation with the AI. Every part is optional and size-limited; unknown parts are refused.
 * `file` and `error` may also be plain strings (a path, a message).
 */
export const SessionContextInput = z.strictObject({
  url: z.optional(url),
  tool: z.optional(
    z.strictObject({ name: text(CONTEXT_LIMITS.name), version: z.optional(text(CONTEXT_LIMITS.name)) }),
  ),
  project: z.optional(
    z.strictObject({
      name: z.optional(text(CONTEXT_LIMITS.name)),
      repositoryUrl: z.optional(url),
      previewUrl: z.optional(url),
    }),
  ),
  file: z.optional(
    z.union([
      text(CONTEXT_LIMITS.url),
      z.strictObject({
        path: text(CONTEXT_LIMITS.url),
        language: z.optional(text(40)),
        content: z.optional(text(CONTEXT_LIMITS.content)),
      }),
    ]),
  ),
  selection: z.optional(text(CONTEXT_LIMITS.selection)),
  error: z.optional(
    z.union([
      text(CONTEXT_LIMITS.stack),
      z.strictObject({ message: text(CONTEXT_LIMITS.stack), stack: z.optional(text(CONTEXT_LIMITS.stack)) }),
    ]),
  ),
  diff: z.optional(text(CONTEXT_LIMITS.content)),
  terminal: z.optional(text(CONTEXT_LIMITS.terminal)),
  conversation: z.optional(
    z
      .array(z.strictObject({ role: z.enum(['user', 'assistant']), content: text(CONTEXT_LIMITS.turn) }))
      .check(z.maxLength(CONTEXT_LIMITS.conversationTurns)),
  ),
} satisfies Record<ContextPart, unknown>)

/** A session's context, as vendors pass it and builders receive it. */
export type SessionContext = z.input<typeof SessionContextInput>

import * as z from 'zod/mini'
import { MAX_PATCH_DESCRIPTION_LENGTH, MAX_PATCH_DETAIL_LENGTH, MAX_PATCH_LENGTH } from './patch-limits.js'

/** A hunk header: `@@ -1,3 +1,4 @@` (the counts may be left out when they are 1). */
const HUNK = /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/

/**
 * Why `diff` is not a unified diff, or undefined when it is one: at least one file, each with its
 * `--- a` / `+++ b` header lines, followed by at least one `@@ … @@` hunk. (`git diff` output, with
 * its `diff --git` and `index` lines, qualifies.)
 */
export function unifiedDiffProblem(diff: string): string | undefined {
  const lines = diff.split(/\r?\n/)
  let files = 0
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.startsWith('--- ')) continue
    if (!lines[i + 1]?.startsWith('+++ '))
      return `Line ${i + 1} starts a file header (---) without +++ after it`
    if (!HUNK.test(lines[i + 2] ?? '')) return `The file header on line ${i + 1} has no @@ hunk after it`
    files++
    i++
  }
  return files === 0 ? 'A unified diff needs --- and +++ file header lines and @@ hunks' : undefined
}

/** A patch as sent: a unified diff (`git diff`, `diff -u`) and what it does. Builders only. */
export const PatchInput = z.strictObject({
  diff: z.string().check(
    z.minLength(1),
    z.maxLength(MAX_PATCH_LENGTH),
    z.refine((diff) => unifiedDiffProblem(diff) === undefined, {
      error: (issue) => `Not a unified diff: ${unifiedDiffProblem(String(issue.input))}`,
    }),
  ),
  description: z.optional(z.nullable(z.string().check(z.trim(), z.maxLength(MAX_PATCH_DESCRIPTION_LENGTH)))),
})
export type PatchInput = z.input<typeof PatchInput>

/**
 * What the user's tool made of a builder's patch (`on('patch')` in the widget): sent by the user as a
 * message, which the server words "Patch applied" or "Patch failed: <detail>" for both sides.
 */
export const PatchResultInput = z.strictObject({
  /** The server id of the builder's message that carried the patch. */
  messageId: z.string().check(z.minLength(1), z.maxLength(64)),
  applied: z.boolean(),
  detail: z.optional(z.nullable(z.string().check(z.trim(), z.maxLength(MAX_PATCH_DETAIL_LENGTH)))),
})
export type PatchResultInput = z.input<typeof PatchResultInput>

/** A patch as stored and served (sent as `PatchInput`, ./patch.ts). */
export const Patch = z.object({ diff: z.string(), description: z.nullable(z.string()) })
export type Patch = z.infer<typeof Patch>

/** A user's report on a builder's patch, as stored and served (the message's body words it for people). */
export const PatchResult = z.object({
  messageId: z.string(),
  applied: z.boolean(),
  detail: z.nullable(z.string()),
})
export type PatchResult = z.infer<typeof PatchResult>

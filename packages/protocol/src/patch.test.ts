import { expect, test } from 'vitest'
import { PatchInput, unifiedDiffProblem } from './patch.js'
import { MAX_PATCH_LENGTH } from './patch-limits.js'
import { SendMessageRequest } from './requests.js'

const DIFF = [
  'diff --git a/vite.config.ts b/vite.config.ts',
  'index 1c2b3d4..5e6f7a8 100644',
  '--- a/vite.config.ts',
  '+++ b/vite.config.ts',
  '@@ -1,3 +1,3 @@',
  ' export default {',
  '-  server: { port: 3000 },',
  "+  server: { port: 3000, host: '0.0.0.0' },",
  ' }',
  '',
].join('\n')

test('a git diff, a diff -u and a hunk without counts are unified diffs', () => {
  expect(unifiedDiffProblem(DIFF)).toBeUndefined()
  expect(
    unifiedDiffProblem('--- a.txt\t2026-01-01\n+++ b.txt\t2026-01-02\n@@ -1 +1 @@\n-a\n+b\n'),
  ).toBeUndefined()
  expect(unifiedDiffProblem(DIFF.replaceAll('\n', '\r\n'))).toBeUndefined()
})

test('text, a header without a hunk and a --- without +++ are refused, saying why', () => {
  expect(unifiedDiffProblem('just change the port')).toMatch(/needs --- and \+\+\+/)
  expect(unifiedDiffProblem('--- a/x\n+++ b/x\n-a\n+b\n')).toMatch(/no @@ hunk/)
  expect(unifiedDiffProblem('--- a/x\n@@ -1 +1 @@\n')).toMatch(/without \+\+\+/)
  const refused = PatchInput.safeParse({ diff: 'just change the port' })
  expect(refused.success).toBe(false)
  expect(refused.error?.issues[0]?.message).toMatch(/^Not a unified diff: /)
})

test('a patch over the limit is refused; a message may be a patch alone', () => {
  const huge = `${DIFF}${'+x\n'.repeat(MAX_PATCH_LENGTH / 3)}`
  expect(PatchInput.safeParse({ diff: huge }).success).toBe(false)
  expect(SendMessageRequest.safeParse({ id: 'msg_12345678', patch: { diff: DIFF } }).success).toBe(true)
  expect(SendMessageRequest.safeParse({ id: 'msg_12345678', patch: { diff: DIFF, extra: 1 } }).success).toBe(
    false,
  )
})

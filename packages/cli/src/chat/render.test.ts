import { stripVTControlCharacters } from 'node:util'
import { describe, expect, test } from 'vitest'
import { highlight, queueLine, render, time } from './render.js'

const at = new Date('2026-12-08T14:05:00').getTime()
const message = {
  id: 'msg_1',
  key: 'msg_1',
  clientId: null,
  sessionId: 'ses_1',
  seq: 3,
  status: 'sent' as const,
  author: 'builder' as const,
  authorId: 'usr_b',
  kind: 'code' as const,
  body: 'Use the forks pool:',
  code: { language: 'ts', content: "export default { test: { pool: 'forks' } }\n" },
  attachments: [{ id: 'att_1', name: 'fix.md', type: 'text/markdown', size: 2048, url: '/x' }],
  createdAt: at,
}

describe('render', () => {
  test('time, author, text; code fenced; files named with their size', () => {
    expect(stripVTControlCharacters(render(message, 'Grace Hopper'))).toBe(
      "14:05 Grace Hopper: Use the forks pool:\n```ts\nexport default { test: { pool: 'forks' } }\n```\n  [file fix.md, 2.0 kB]",
    )
  })

  test('a patch is shown as a diff with its description', () => {
    const text = stripVTControlCharacters(
      render(
        {
          ...message,
          code: null,
          attachments: [],
          patch: { diff: '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n', description: 'Fix x' },
        },
        'Grace',
      ),
    )
    expect(text).toContain('  Patch: Fix x\n```diff\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n```')
  })

  test('highlighting only adds colour: without it the code is byte for byte the same', () => {
    const code = 'const a = "x" // note\nif (a) return 42'
    expect(stripVTControlCharacters(highlight(code, 'ts'))).toBe(code)
  })

  test('another day shows the date; the queue line', () => {
    expect(time(at, at + 2 * 86_400_000)).toBe(`${new Date(at).toISOString().slice(0, 10)} 14:05`)
    expect(queueLine({ position: 2, expectedWaitSeconds: 200 })).toBe(
      '#2 in the queue, expected wait about 3 min',
    )
    expect(queueLine({ position: 1, expectedWaitSeconds: null })).toBe(
      '#1 in the queue, expected wait not known yet',
    )
  })
})

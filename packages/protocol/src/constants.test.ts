import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { CONTEXT_PARTS, REALTIME_EVENT_TYPES } from './constants.js'
import { SessionContextInput } from './context.js'
import { REALTIME_EVENTS } from './realtime.js'

const here = dirname(fileURLToPath(import.meta.url))

/** Every module `file` imports, directly or through the files it imports. */
function importsOf(file: string, seen = new Set<string>()): Set<string> {
  for (const [, specifier] of readFileSync(join(here, file), 'utf8').matchAll(/from '([^']+)'/g)) {
    if (!specifier || seen.has(specifier)) continue
    seen.add(specifier)
    if (specifier.startsWith('./')) importsOf(specifier.replace(/\.js$/, '.ts'), seen)
  }
  return seen
}

test('the constants entry imports nothing but its own files (no zod in a bundle that takes only constants)', () => {
  const imports = [...importsOf('constants.ts')]
  expect(imports.length).toBeGreaterThan(3)
  expect(imports.filter((specifier) => !specifier.startsWith('./'))).toEqual([])
})

test('CONTEXT_PARTS names every part of a context and nothing else', () => {
  expect([...CONTEXT_PARTS].sort()).toEqual(Object.keys(SessionContextInput.def.shape).sort())
})

test('REALTIME_EVENT_TYPES names every realtime event the schemas know and nothing else', () => {
  expect([...REALTIME_EVENT_TYPES].sort()).toEqual(Object.keys(REALTIME_EVENTS).sort())
})

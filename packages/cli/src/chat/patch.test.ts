import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { offerPatch } from './patch.js'

let repo: string
const diff = `--- a/cart.ts\n+++ b/cart.ts\n@@ -1 +1 @@\n-export const total = (items: number[]) => items.reduce((a, b) => a + b)\n+export const total = (items: number[]) => items.reduce((a, b) => a + b, 0)\n`
beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'suportra-patch-test-'))
  execFileSync('git', ['init', '-q'], { cwd: repo })
  writeFileSync(
    join(repo, 'cart.ts'),
    'export const total = (items: number[]) => items.reduce((a, b) => a + b)\n',
  )
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => {
  vi.restoreAllMocks()
  rmSync(repo, { recursive: true, force: true })
})
const cart = () => readFileSync(join(repo, 'cart.ts'), 'utf8')

test('without a terminal and without --apply-patches, a patch that applies is not applied', async () => {
  expect(await offerPatch({ diff }, false, repo)).toEqual({ applied: false, detail: 'declined' })
  expect(cart()).not.toContain('b, 0)')
})

test('with --apply-patches it is checked, then applied', async () => {
  expect(await offerPatch({ diff }, true, repo)).toEqual({ applied: true })
  expect(cart()).toContain('a + b, 0)')
})

test('a patch that does not apply is not applied, and git says why', async () => {
  writeFileSync(join(repo, 'cart.ts'), 'something else\n')
  const result = await offerPatch({ diff }, true, repo)
  expect(result.applied).toBe(false)
  expect(result.detail).toMatch(/patch failed|does not apply/)
  expect(cart()).toBe('something else\n')
})

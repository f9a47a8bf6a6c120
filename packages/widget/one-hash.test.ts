import { expect, test } from 'vitest'
import { oneHash } from './one-hash.js'

type Chunk = { type: 'chunk'; fileName: string; code: string }

/** Runs the plugin on `files` (name → code) as rolldown would hand them over; returns what it writes. */
function build(files: Record<string, string>): Record<string, string> {
  const bundle: Record<string, Chunk | { type: 'asset'; fileName: string; source: string }> = {}
  for (const [fileName, code] of Object.entries(files)) bundle[fileName] = { type: 'chunk', fileName, code }
  const context = {
    emitFile: (file: { fileName: string; source: string }) => {
      bundle[file.fileName] = { type: 'asset', ...file }
    },
  }
  const hook = oneHash.generateBundle as {
    handler: (this: unknown, options: unknown, bundle: unknown) => void
  }
  hook.handler.call(context, {}, bundle)
  return Object.fromEntries(
    Object.values(bundle).map((file) => [file.fileName, file.type === 'chunk' ? file.code : file.source]),
  )
}

const FILES = {
  'app.js': 'export{t as boot}from"./core-AbC123.js";',
  'core-AbC123.js': 'import(`./de-XyZ-9_.js`);import(`./audit-Qq1Qq1.js`);export{}',
  'de-XyZ-9_.js': 'var e={launcher:`Mit einem Menschen sprechen`};export{e as de}',
  'audit-Qq1Qq1.js': 'import{t}from"./core-AbC123.js";export{t as Audit}',
}

test('every chunk is named with one hash, and every chunk that names another names it so', () => {
  const out = build(FILES)
  const names = Object.keys(out).sort()
  const hash = names.find((name) => name.startsWith('core-'))?.slice(5, -3) as string
  expect(hash).toMatch(/^[\w-]{6}$/)
  expect(names).toEqual(['app.js', `audit-${hash}.js`, `core-${hash}.js`, `de-${hash}.js`])
  expect(out['app.js']).toBe(`export{t as boot}from"./core-${hash}.js";`)
  expect(out[`core-${hash}.js`]).toBe(`import(\`./de-${hash}.js\`);import(\`./audit-${hash}.js\`);export{}`)
  expect(out[`audit-${hash}.js`]).toBe(`import{t}from"./core-${hash}.js";export{t as Audit}`)
  expect(out[`de-${hash}.js`]).toBe(FILES['de-XyZ-9_.js'])
})

test('a change in any chunk renames them all (so caching them forever stays safe)', () => {
  const hashOf = (files: Record<string, string>) =>
    Object.keys(build(files))
      .find((name) => name.startsWith('de-'))
      ?.slice(3, -3)
  const before = hashOf(FILES)
  expect(hashOf(FILES)).toBe(before)
  expect(hashOf({ ...FILES, 'audit-Qq1Qq1.js': `${FILES['audit-Qq1Qq1.js']};` })).not.toBe(before)
})

test('two chunks that would end up with one name stop the build', () => {
  expect(() => build({ ...FILES, 'de-Other1.js': 'export{}' })).toThrow(/share a name/)
})

test('it runs once Vite has finished the chunks (their dynamic imports no longer hold its marker)', () => {
  expect(() =>
    build({ ...FILES, 'core-AbC123.js': 'Q(()=>import(`./de-XyZ-9_.js`),__VITE_PRELOAD__)' }),
  ).toThrow(/before Vite finished/)
})

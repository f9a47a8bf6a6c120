// `pnpm changeset` and `pnpm changeset status` run on this Node (20 in CI): @changesets/cli 3
// crashed on Node 20 (`enableCompileCache is not a function`). Run on a copy of the workspace's
// manifests and changesets, so the repository's .changeset folder is left alone.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify, stripVTControlCharacters } from 'node:util'
import { afterAll, expect, test } from 'vitest'
import { publicPackages, root } from '../../scripts/workspace-packages.mjs'

const copy = mkdtempSync(join(tmpdir(), 'suportra-changesets-'))
afterAll(() => rmSync(copy, { recursive: true, force: true }))
const changeset = join(root, 'node_modules/@changesets/cli/bin.js')
// Colours off (CI forces them on): the assertions read the words.
const run = async (args: string[]) =>
  stripVTControlCharacters(
    (await promisify(execFile)(process.execPath, [changeset, ...args], { cwd: copy, encoding: 'utf8' }))
      .stdout,
  )

test('changeset status lists the pending bumps and changeset --empty writes a changeset', async () => {
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset'])
    cpSync(join(root, file), join(copy, file), { recursive: true })
  for (const { dir } of publicPackages()) {
    mkdirSync(join(copy, relative(root, dir)), { recursive: true })
    cpSync(join(dir, 'package.json'), join(copy, relative(root, dir), 'package.json'))
  }
  await promisify(execFile)('git', ['init', '-q', '-b', 'main'], { cwd: copy })
  await promisify(execFile)(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'copy', '--allow-empty'],
    { cwd: copy },
  )
  expect(await run(['status'])).toMatch(/Packages to be bumped at minor/)
  const before = new Set(readdirSync(join(copy, '.changeset')))
  await run(['add', '--empty'])
  const added = readdirSync(join(copy, '.changeset')).filter((file) => !before.has(file))
  expect(added).toHaveLength(1)
  expect(readFileSync(join(copy, '.changeset', added[0] ?? ''), 'utf8')).toMatch(/^---\n---\n/)
})

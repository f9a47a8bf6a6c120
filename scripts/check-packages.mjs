#!/usr/bin/env node
// `pnpm check:packages`: publint and Are The Types Wrong on every published package of the
// workspace (scripts/workspace-packages.mjs), as a library author checks before a release.
// ESM only, on purpose: `require()` of these packages is not supported (Node 20.19+ loads them
// anyway), so attw's "CJS resolves to ESM" rule is the one rule left out; `moduleResolution`
// `node` (node10) is checked, through the top-level `types` and `typesVersions`.
import { spawnSync } from 'node:child_process'
import { relative } from 'node:path'
import { publicPackages, root } from './workspace-packages.mjs'

let failed = 0
for (const { name, dir } of publicPackages()) {
  const where = relative(root, dir)
  for (const [command, args] of [
    ['publint', ['--strict', where]],
    ['attw', ['--pack', where, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'table-flipped']],
  ]) {
    console.log(`> ${command} ${args.join(' ')}`)
    const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' })
    if (result.status !== 0) {
      failed++
      console.error(`${command} failed for ${name}`)
    }
  }
}
if (failed) process.exit(1)

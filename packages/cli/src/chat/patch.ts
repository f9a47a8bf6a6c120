import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { confirm, isCancel } from '@clack/prompts'
import type { Patch } from '@suportra/protocol'
import pc from 'picocolors'
import { aside, interactive, say, warn } from '../io/terminal.js'

/** Runs `git apply [--check] <diff>` in the current directory; the first line of git's complaint on failure. */
function gitApply(diff: string, check: boolean, cwd: string): { ok: true } | { ok: false; detail: string } {
  const dir = mkdtempSync(join(tmpdir(), 'suportra-patch-'))
  const file = join(dir, 'builder.patch')
  try {
    writeFileSync(file, diff.endsWith('\n') ? diff : `${diff}\n`)
    const result = spawnSync('git', ['apply', ...(check ? ['--check'] : []), file], { cwd, encoding: 'utf8' })
    if (result.error) return { ok: false, detail: `git could not run (${result.error.message})` }
    if (result.status === 0) return { ok: true }
    const detail = result.stderr.trim().split('\n')[0] ?? `git apply exited with ${result.status}`
    return { ok: false, detail }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Offers a builder's patch: checked with `git apply --check` first, applied only on consent (asked in a
 * terminal; without one only with --apply-patches). Resolves to what happened, for the builder.
 */
export async function offerPatch(
  patch: Pick<Patch, 'diff'>,
  apply: boolean,
  cwd = process.cwd(),
): Promise<{ applied: boolean; detail?: string }> {
  const check = gitApply(patch.diff, true, cwd)
  if (!check.ok) {
    warn(pc.yellow(`! The patch does not apply in ${cwd}: ${check.detail}`))
    return { applied: false, detail: check.detail }
  }
  let consent = apply
  if (!consent && interactive()) {
    const answer = await aside(() => confirm({ message: `Apply this patch in ${cwd}?`, initialValue: false }))
    consent = !isCancel(answer) && answer
  } else if (!consent) {
    warn(
      `  The patch applies cleanly here; not applied (no terminal to ask; --apply-patches applies patches).`,
    )
  }
  if (!consent) return { applied: false, detail: 'declined' }
  const done = gitApply(patch.diff, false, cwd)
  if (!done.ok) {
    warn(pc.red(`! git apply failed: ${done.detail}`))
    return { applied: false, detail: done.detail }
  }
  say(pc.green('  Patch applied.'))
  return { applied: true }
}

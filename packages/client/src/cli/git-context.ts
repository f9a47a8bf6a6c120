import { execFileSync } from 'node:child_process'
import { basename } from 'node:path'
import { CONTEXT_LIMITS, type SessionContext } from '@suportra/protocol'

const git = (args: string[]) => {
  try {
    return execFileSync('git', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 10 * 1024 * 1024,
    }).trim()
  } catch {
    return ''
  }
}

/** What the builder should see of the current git repository: its name, remote, and uncommitted diff. */
export function contextFromGit(): SessionContext {
  const root = git(['rev-parse', '--show-toplevel'])
  if (!root) return {}
  const remote = git(['remote', 'get-url', 'origin'])
    .replace(/^git@([^:]+):/, 'https://$1/')
    .replace(/\.git$/, '')
  const diff = git(['diff', 'HEAD']).slice(0, CONTEXT_LIMITS.content)
  const context: SessionContext = {
    project: { name: basename(root), ...(/^https?:\/\//.test(remote) && { repositoryUrl: remote }) },
  }
  if (diff) context.diff = diff
  return context
}

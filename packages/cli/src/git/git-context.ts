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

/**
 * A remote's web address without what must not leave the machine: the user and password (or token) of
 * `https://bob:hunter2@host/…`, a query and a fragment; `git@host:owner/repo` becomes `https://host/owner/repo`.
 * Undefined for anything that is not a web address after that (a local path, `file://`).
 */
export function publicRemote(remote: string): string | undefined {
  const scp = /^[^@/\s]+@([^:/\s]+):/
  const ssh = /^((git\+)?ssh|git):\/\//
  const web = remote.trim().replace(scp, 'https://$1/').replace(ssh, 'https://')
  let url: URL
  try {
    url = new URL(web)
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  url.username = ''
  url.password = ''
  url.search = ''
  url.hash = ''
  // An ssh port (2222) is not the web server's.
  if (ssh.test(remote.trim())) url.port = ''
  return url.href.replace(/\.git$/, '').replace(/\/$/, '')
}

/** What the builder should see of the current git repository: its name, remote (no credentials), and uncommitted diff. */
export function contextFromGit(): SessionContext {
  const root = git(['rev-parse', '--show-toplevel'])
  if (!root) return {}
  // Credentials go first, before anything else (the secret check, the context) looks at the URL.
  const remote = publicRemote(git(['remote', 'get-url', 'origin']))
  const diff = git(['diff', 'HEAD']).slice(0, CONTEXT_LIMITS.content)
  const context: SessionContext = {
    project: { name: basename(root), ...(remote && { repositoryUrl: remote }) },
  }
  if (diff) context.diff = diff
  return context
}

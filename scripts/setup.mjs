#!/usr/bin/env node
// Installs everything the repository needs on a machine that has only Node.js 20+ and npm:
// the pinned pnpm, then the workspace's dependencies, and PostgreSQL (Debian's package) for the
// second run of the integration tests (scripts/with-postgres.mjs; `--no-postgres` skips it).
// `--browser` also makes sure Chromium is there for the browser tests. Safe to run again: each
// step is skipped when already done.
import { execFileSync, spawnSync } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const pnpmVersion = packageManager.split('@')[1]
const env = { ...process.env }

function run(command, args) {
  console.log(`> ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

function version(command) {
  try {
    return execFileSync(command, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return undefined
  }
}

const [major] = process.versions.node.split('.').map(Number)
if (major < 20) {
  console.error(`Node.js 20 or newer is needed; this is ${process.version}.`)
  process.exit(1)
}

if (version('pnpm') !== pnpmVersion) run('npm', ['install', '--global', `pnpm@${pnpmVersion}`])

// better-sqlite3 compiles from source when no prebuilt binary can be downloaded. Point node-gyp
// at this Node's own headers when they are installed, so it does not try to download them.
const prefix = resolve(process.execPath, '..', '..')
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) {
  env.npm_config_nodedir = prefix
}

// Arguments after `--` go to `pnpm install` (e.g. `-- --store-dir /tmp/store` to test a cold install).
const extra = process.argv.includes('--') ? process.argv.slice(process.argv.indexOf('--') + 1) : []
run('pnpm', ['install', ...(env.CI ? ['--frozen-lockfile'] : []), ...extra])

const canApt = process.getuid?.() === 0 && Boolean(version('apt-get'))
let aptUpdated = false
function aptInstall(...packages) {
  // No questions (tzdata, which PostgreSQL needs, would ask for a time zone on a terminal).
  env.DEBIAN_FRONTEND ??= 'noninteractive'
  if (!aptUpdated) run('apt-get', ['update', '-qq'])
  aptUpdated = true
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages])
}

if (process.argv.includes('--browser')) {
  const chromium = env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(chromium)) {
    if (canApt) {
      aptInstall('chromium')
    } else {
      console.error(
        `Browser tests need Chromium at ${chromium} (Debian: apt-get install chromium, or set CHROMIUM_PATH).`,
      )
      process.exit(1)
    }
  }
}

// PostgreSQL 15+: the tests start their own throwaway cluster (scripts/with-postgres.mjs, as the
// unprivileged `postgres` user the package creates), so no server needs to run. Debian would create
// a `main` cluster on port 5432 and start it; a drop-in in createcluster.d (read at the end of
// createcluster.conf) tells it not to, without touching the package's own configuration file.
const hasPostgres = () =>
  Boolean(env.PG_BIN) ||
  (existsSync('/usr/lib/postgresql') &&
    readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)))
if (!process.argv.includes('--no-postgres') && !hasPostgres()) {
  if (canApt) {
    aptInstall('postgresql-common')
    const conf = '/etc/postgresql-common/createcluster.conf'
    const dropIns = '/etc/postgresql-common/createcluster.d'
    const noCluster = 'create_main_cluster = false\n'
    if (readFileSync(conf, 'utf8').includes(`include_dir '${dropIns}'`)) {
      mkdirSync(dropIns, { recursive: true })
      writeFileSync(join(dropIns, 'suportra-no-main-cluster.conf'), noCluster)
    } else {
      appendFileSync(conf, `\n${noCluster}`) // older postgresql-common: no drop-in folder
    }
    aptInstall('postgresql')
  } else {
    console.warn(
      'PostgreSQL was not found (Debian: apt-get install postgresql, or set PG_BIN). `pnpm test` skips its ' +
        'PostgreSQL run without it, and fails in CI.',
    )
  }
}

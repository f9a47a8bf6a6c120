#!/usr/bin/env node
// Runs the integration suites a second time, on PostgreSQL, and then the fault scenarios that store
// money and survive crashes (faults/money and faults/server-crash, at their default sizes): starts a
// throwaway PostgreSQL cluster (initdb into a temporary folder, as the unprivileged `postgres` user
// when run as root; trust authentication on 127.0.0.1 only; a free loopback port), runs the tests
// with SUPORTRA_TEST_DB=postgres and SUPORTRA_TEST_PG_URL set, and always stops the cluster and
// deletes the folder, also when the tests fail or the run is interrupted.
//
//   node scripts/with-postgres.mjs                 # the integration tests, then the two fault scenarios
//   node scripts/with-postgres.mjs -- vitest run --project server test/instances
//
// The fault scenarios need the built packages (`pnpm build`; `pnpm test` builds first).
// Without PostgreSQL (Debian: apt-get install postgresql; or set PG_BIN to its bin folder) it fails
// under CI=1 and skips with a message otherwise.
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const ci = Boolean(process.env.CI)
const separator = process.argv.indexOf('--')
const vitest = join(root, 'node_modules/.bin/vitest')
/** The commands to run, one after the other; the first that fails ends the run. */
const commands =
  separator === -1
    ? [
        [
          vitest,
          'run',
          ...['--project', 'server', '--project', 'client', '--project', 'examples'],
          // Two test files at a time: the suite waits on timers and sockets far more than on the CPU.
          '--maxWorkers=2',
          // The integration tests: everything that stores or moves data through the server. The
          // browser tests test pages, not storage, and run once (on SQLite) in `vitest run`.
          '.integration.test.',
        ],
        // The fault scenarios where the database decides the outcome: concurrent money (PostgreSQL
        // runs writers in parallel, SQLite one at a time) and SIGKILL mid-write.
        [vitest, 'run', '--config', 'faults/vitest.config.ts', 'faults/money', 'faults/server-crash'],
      ]
    : [process.argv.slice(separator + 1)]

function unavailable(reason) {
  if (ci) {
    console.error(
      `\nwith-postgres: ${reason}\nThe PostgreSQL run of the integration tests cannot happen; failing (CI).`,
    )
    process.exit(1)
  }
  console.warn(`\nwith-postgres: ${reason}\nSkipping the PostgreSQL run (it is required in CI).\n`)
  process.exit(0)
}

/** The folder with initdb and pg_ctl: PG_BIN, Debian's newest /usr/lib/postgresql/N/bin, or the PATH. */
function findBin() {
  if (process.env.PG_BIN) return process.env.PG_BIN
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions[0]) return join(debian, versions[0], 'bin')
  }
  try {
    return dirname(execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim())
  } catch {
    return undefined
  }
}

const bin = findBin()
if (!bin || !existsSync(join(bin, 'pg_ctl'))) unavailable('PostgreSQL (initdb, pg_ctl) was not found.')

// initdb refuses to run as root: then the cluster belongs to the unprivileged `postgres` user.
const asRoot = process.getuid?.() === 0
let owner
if (asRoot) {
  try {
    owner = {
      uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
      gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
    }
  } catch {
    unavailable('running as root, but there is no unprivileged `postgres` user to own the cluster.')
  }
}

/** Runs a PostgreSQL program, as `postgres` when we are root. */
function pg(program, args, options = {}) {
  const full = join(bin, program)
  const [file, argv] = asRoot
    ? existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser')
      ? ['runuser', ['-u', 'postgres', '--', full, ...args]]
      : ['su', ['postgres', '-s', '/bin/sh', '-c', [full, ...args].map(quote).join(' ')]]
    : [full, args]
  return spawnSync(file, argv, { encoding: 'utf8', ...options })
}

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolvePort(port))
    })
  })
}

const dir = mkdtempSync(join(tmpdir(), 'suportra-pg-'))
const data = join(dir, 'data')
let started = false

function cleanup() {
  if (started) {
    pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'], { stdio: 'ignore' })
    started = false
  }
  rmSync(dir, { recursive: true, force: true })
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup()
    process.exit(130)
  })
}

let status = 1
try {
  if (owner) chownSync(dir, owner.uid, owner.gid)
  const init = pg('initdb', [
    ...['-D', data, '-U', 'postgres', '-E', 'UTF8', '--locale=C'],
    ...['--auth-local=trust', '--auth-host=trust', '--no-sync'],
  ])
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`)
  // Trust, but only over the Unix socket in our own folder and from 127.0.0.1.
  const hba = 'local all all trust\nhost all all 127.0.0.1/32 trust\n'
  writeFileSync(join(data, 'pg_hba.conf'), hba)
  if (owner) chownSync(join(data, 'pg_hba.conf'), owner.uid, owner.gid)

  const port = await freePort()
  const settings = [
    ...['-p', port, '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`],
    // A throwaway cluster: durability buys nothing here, speed does.
    ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    ...['-c', 'max_connections=300'],
  ].join(' ')
  const start = pg('pg_ctl', ['-D', data, '-l', join(dir, 'postgres.log'), '-o', settings, '-w', 'start'])
  if (start.status !== 0) throw new Error(`pg_ctl start failed:\n${start.stdout}${start.stderr}`)
  started = true

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const version = pg('postgres', ['--version']).stdout.trim()
  for (const command of commands) {
    console.log(`\nwith-postgres: ${version} on 127.0.0.1:${port}; running ${command.join(' ')}\n`)
    const run = spawnSync(command[0], command.slice(1), {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, SUPORTRA_TEST_DB: 'postgres', SUPORTRA_TEST_PG_URL: url },
    })
    status = run.status ?? 1
    if (status !== 0) break
  }
} catch (error) {
  console.error(`with-postgres: ${error instanceof Error ? error.message : error}`)
  status = 1
} finally {
  cleanup()
}
process.exit(status)

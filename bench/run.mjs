// `pnpm bench`: runs every benchmark, each suite in its own process (its JSON on stdout, progress
// on stderr), prints one table and writes docs/benchmarks.md (and the raw figures to
// bench/results/latest.json).
// Usage: node bench/run.mjs [--quick] [--only payload,hostPage,transcript,server,requests,memory,drain,wire,queries,serverPostgres,instances] [--render]
//   --quick  fewer runs per figure, for trying the harness (the doc says so)
//   --only   run some suites; the table is printed but docs/benchmarks.md is left alone (figures
//            go to bench/results/only.json, so latest.json keeps the last full run)
//   --render rewrite docs/benchmarks.md from bench/results/latest.json without measuring
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { basename } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { renderDoc } from './doc.mjs'
import { tableRows, textTable } from './report.mjs'

const benchDir = fileURLToPath(new URL('.', import.meta.url))
const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const onlyAt = args.indexOf('--only')
const only = onlyAt === -1 ? undefined : new Set(args[onlyAt + 1].split(','))

// --render: write docs/benchmarks.md again from the last run's figures (bench/results/latest.json),
// after a change to the doc's text; nothing is measured.
if (args.includes('--render')) {
  const last = JSON.parse(readFileSync(`${benchDir}results/latest.json`, 'utf8'))
  writeFileSync(`${root}docs/benchmarks.md`, renderDoc({ ...last, rows: tableRows(last.results) }))
  console.log(`wrote docs/benchmarks.md from the run of ${last.environment.date}`)
  process.exit(0)
}

const runs = (full, fast) => ['--runs', String(quick ? fast : full)]
const SUITES = [
  { name: 'payload', script: 'payload.mjs', args: [] },
  { name: 'hostPage', script: 'host-page.mjs', args: runs(4, 2) },
  { name: 'transcript', script: 'transcript.mjs', args: runs(3, 1) },
  { name: 'server', script: 'server.mjs', args: runs(3, 1) },
  { name: 'requests', script: 'requests.mjs', args: runs(3, 1) },
  { name: 'memory', script: 'memory.mjs', args: runs(3, 1) },
  { name: 'drain', script: 'drain.mjs', args: runs(3, 1) },
  { name: 'wire', script: 'wire.mjs', args: [] },
  { name: 'queries', script: 'queries.mjs', args: [] },
]

/**
 * PostgreSQL is there if a cluster URL is given (SUPORTRA_TEST_PG_URL) or scripts/with-postgres.mjs
 * can start a throwaway one (PG_BIN, Debian's /usr/lib/postgresql/N/bin, or initdb on the PATH).
 */
function postgresAvailable() {
  if (process.env.SUPORTRA_TEST_PG_URL) return true
  const dirs = [
    process.env.PG_BIN,
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`)
      : []),
    ...(process.env.PATH ?? '').split(':'),
  ]
  return dirs.some((dir) => dir && existsSync(`${dir}/initdb`) && existsSync(`${dir}/pg_ctl`))
}

/**
 * One versus two instances on PostgreSQL (bench/instances.mjs, from the PostgreSQL issue): 100
 * sessions, one round, to keep `pnpm bench` near ten minutes on two cores (each round starts a
 * fresh database and instances); `node bench/instances.mjs` alone runs 100 and 1,000, three rounds.
 */
const INSTANCES_ARGS = ['100', '--rounds=1']

/** `uptime`'s own line (load averages), as a person checking the machine would read it. */
function uptime() {
  try {
    return execFileSync('uptime', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`
  }
}

/** The script a `node` command line runs (flags that take a value, like `--require x.cjs`, skipped). */
function nodeScript(args) {
  for (let i = 0; i < args.length; i++) {
    if (/^(--require|-r|--import|--loader|--conditions|-C)$/.test(args[i])) i++
    else if (!args[i].startsWith('-')) return args[i]
  }
}

/** CPU ticks (user + system) of every process, and a short label for it (Linux /proc). */
function cpuTicks() {
  const ticks = new Map()
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
      // `node …/vitest.mjs run` → `node vitest.mjs`; the program alone otherwise (no arguments: they may hold secrets).
      // Chromium rewrites its title: the whole command line can come back as one string.
      const program = basename((args[0] ?? '?').split(' ')[0]).replace(
        /^playwright_chromiumdev_profile-.*/,
        'chromium',
      )
      const script = program === 'node' ? nodeScript(args.slice(1)) : undefined
      const label = script ? `node ${basename(script)}` : program
      ticks.set(pid, { label, ticks: Number(fields[11]) + Number(fields[12]) })
    } catch {
      // The process ended meanwhile, or /proc is not Linux's.
    }
  }
  return ticks
}

/** Other processes that used ≥ 10% of a core over one second, so the doc can say what shared the machine. */
async function otherBusyProcesses() {
  if (!existsSync('/proc/self/stat')) return []
  const before = cpuTicks()
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const busy = new Map()
  for (const [pid, { label, ticks }] of cpuTicks()) {
    // Clock ticks are 1/100 s on Linux: ticks over one second = percent of a core.
    const used = ticks - (before.get(pid)?.ticks ?? ticks)
    if (Number(pid) !== process.pid && used > 0) busy.set(label, (busy.get(label) ?? 0) + used)
  }
  return [...busy]
    .filter(([, cpu]) => cpu >= 10)
    .sort((a, b) => b[1] - a[1])
    .map(([label, cpu]) => `${label} ${cpu}%`)
}

function runSuite({ name, script, args }, timeoutMs = 6 * 60_000) {
  return new Promise((resolve) => {
    const started = performance.now()
    // The 1-minute load average every 5 s while the suite runs (its own processes included).
    const load = [loadavg()[0]]
    const sampler = setInterval(() => load.push(loadavg()[0]), 5000)
    const child = spawn(process.execPath, [`${benchDir}${script}`, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let stdout = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      clearInterval(sampler)
      load.push(loadavg()[0])
      const seconds = (performance.now() - started) / 1000
      const loadDuring = { min: Math.min(...load), max: Math.max(...load), samples: load.length }
      if (code !== 0) return resolve({ name, seconds, loadDuring, error: `exited with ${signal ?? code}` })
      // The JSON may follow a line of text (scripts/with-postgres.mjs announces the cluster first).
      const start = stdout.search(/^[{[]/m)
      try {
        resolve({ name, seconds, loadDuring, result: JSON.parse(stdout.slice(Math.max(0, start))) })
      } catch {
        resolve({ name, seconds, loadDuring, result: { text: stdout.trim() } })
      }
    })
  })
}

const environment = {
  date: new Date().toISOString(),
  cpu: `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`,
  memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
  os: `${process.platform} ${release()}`,
  node: process.version,
  loadBefore: loadavg(),
  uptimeBefore: uptime(),
  busyBefore: await otherBusyProcesses(),
  quick,
}
console.error(`${environment.uptimeBefore}\nbusy: ${environment.busyBefore.join(', ') || 'nothing else'}`)
const started = performance.now()

const results = {}
const timings = {}
const loadDuring = {}
const busyAtStart = {}
const failures = []
const suites = [...SUITES]
const instancesScript = `${benchDir}instances.mjs`
if (existsSync(instancesScript)) {
  if (postgresAvailable()) {
    // One instance on PostgreSQL beside SQLite's (server.mjs --postgres), then one versus two.
    suites.push({ name: 'serverPostgres', script: 'server.mjs', args: [...runs(3, 1), '--postgres'] })
    suites.push({ name: 'instances', script: 'instances.mjs', args: INSTANCES_ARGS })
  } else
    results.instances = {
      skipped:
        'PostgreSQL is not available (no SUPORTRA_TEST_PG_URL, no initdb and pg_ctl to start a cluster)',
    }
} else results.instances = { skipped: 'bench/instances.mjs does not exist yet' }

/** The built files every suite needs; another `pnpm build` in the same tree deletes them for a while. */
const BUILT = [
  'packages/server/dist/index.js',
  'packages/client/dist/index.js',
  'packages/widget/dist/cdn/widget/app.js',
]
async function whenBuilt(timeoutMs = 180_000) {
  const start = Date.now()
  while (BUILT.some((file) => !existsSync(root + file)) && Date.now() - start < timeoutMs)
    await new Promise((resolve) => setTimeout(resolve, 2000))
}

for (const suite of suites) {
  if (only && !only.has(suite.name)) continue
  console.error(`\n== ${suite.name} ==`)
  await whenBuilt()
  // What else is running as the suite starts (the suite's own processes do not exist yet).
  busyAtStart[suite.name] = await otherBusyProcesses()
  console.error(`busy: ${busyAtStart[suite.name].join(', ') || 'nothing else'}`)
  let outcome = await runSuite(suite)
  if (outcome.error) {
    // Most likely a rebuild pulled dist/ away mid-run on a shared machine: once more, when it is back.
    console.error(`${suite.name} failed (${outcome.error}); trying once more`)
    await whenBuilt()
    outcome = await runSuite(suite)
  }
  timings[suite.name] = outcome.seconds
  loadDuring[suite.name] = outcome.loadDuring
  if (outcome.error) {
    failures.push(`${suite.name}: ${outcome.error}`)
    console.error(`${suite.name} failed: ${outcome.error}`)
  } else results[suite.name] = outcome.result
}
// with-postgres.mjs skips quietly (exit 0, nothing printed) when it cannot start a cluster.
if (results.instances?.text === '')
  results.instances = { skipped: 'scripts/with-postgres.mjs could not start PostgreSQL' }
environment.loadAfter = loadavg()
environment.uptimeAfter = uptime()
environment.loadDuring = loadDuring
environment.busyAtStart = busyAtStart
environment.suitesSeconds = (performance.now() - started) / 1000
environment.chromium = results.hostPage?.chromium ?? results.transcript?.chromium

const rows = tableRows(results)
console.log(textTable(rows))
console.log(
  `\n${Object.entries(timings)
    .map(([name, s]) => `${name} ${s.toFixed(0)} s`)
    .join(', ')}; ${environment.suitesSeconds.toFixed(0)} s in all`,
)
console.log(`before: ${environment.uptimeBefore}\nafter:  ${environment.uptimeAfter}`)

mkdirSync(`${benchDir}results`, { recursive: true })
writeFileSync(
  `${benchDir}results/${only ? 'only' : 'latest'}.json`,
  JSON.stringify({ environment, timings, failures, results }, null, 2),
)
if (!only) {
  writeFileSync(`${root}docs/benchmarks.md`, renderDoc({ environment, timings, failures, results, rows }))
  console.log('wrote docs/benchmarks.md')
}
if (failures.length) {
  console.error(`\nfailed: ${failures.join('; ')}`)
  process.exitCode = 1
}

import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Reporter, TestModule } from 'vitest/node'
import type { FaultRow } from './report.js'

type Row = FaultRow & { seconds: number }

const HEAD = [
  'scenario',
  'runs',
  'messages',
  'lost',
  'duplicated',
  'out of order',
  'overcharged',
  'time',
  'details',
]

function cells(row: Row, state: string): string[] {
  const details = Object.entries(row.notes)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`)
    .join(', ')
  return [
    state === 'passed' ? row.scenario : `${row.scenario} (FAILED)`,
    row.runs.toLocaleString('en-US'),
    row.messages.toLocaleString('en-US'),
    String(row.lost),
    String(row.duplicated),
    String(row.outOfOrder),
    String(row.overcharged),
    `${row.seconds} s`,
    details,
  ]
}

function markdown(rows: string[][]): string {
  const line = (r: string[]) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`
  return [line(HEAD), line(HEAD.map((_h, i) => (i > 0 && i < 8 ? '---:' : '---'))), ...rows.map(line)].join(
    '\n',
  )
}

/** Prints the table of every fault scenario at the end of the run, and keeps it in faults/.results/. */
export default class FaultTableReporter implements Reporter {
  #started = Date.now()

  onTestRunStart() {
    this.#started = Date.now()
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const rows: string[][] = []
    const missing: string[] = []
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const row = test.meta().fault
        const state = test.result().state
        if (row) rows.push(cells(row, state))
        else missing.push(`${test.fullName} (${state}, no numbers: it failed before measuring)`)
      }
    }
    const size = process.env.SUPORTRA_FAULTS === 'large' ? 'large' : 'default'
    const postgres = process.env.SUPORTRA_TEST_DB === 'postgres'
    const wall = Math.round((Date.now() - this.#started) / 1000)
    const header = `Fault suite, ${size} size${postgres ? ', PostgreSQL' : ''}, ${new Date().toISOString()}, ${cpus().length} cores, wall ${wall} s`
    const table = markdown(rows)
    const text = [header, '', table, ...(missing.length ? ['', ...missing.map((m) => `- ${m}`)] : [])].join(
      '\n',
    )
    console.log(`\n${text}\n`)
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '.results')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `${size}${postgres ? '-postgres' : ''}.md`), `${text}\n`)
  }
}

import { testDialect } from '@suportra/server/testing'
import { expect } from 'vitest'

/** One line of the fault table. */
export interface FaultRow {
  scenario: string
  /** Repetitions of the scenario's fault (kills, faults, reloads, sleeps, rounds, cycles). */
  runs: number
  /** Messages (or money operations) that went through it. */
  messages: number
  lost: number
  duplicated: number
  outOfOrder: number
  overcharged: number
  /** Scenario-specific numbers, printed after the main columns. */
  notes: Record<string, string | number>
}

declare module 'vitest' {
  interface TaskMeta {
    fault?: FaultRow & { seconds: number }
  }
}

interface TaskLike {
  meta: { fault?: FaultRow & { seconds: number } }
}

/**
 * Records the row on the test (the table reporter prints it, even when the test fails), then fails
 * the test when anything was lost, doubled, reordered or overcharged.
 */
export function report(task: TaskLike, started: number, input: FaultRow): void {
  // The same scenario run on PostgreSQL (scripts/with-postgres.mjs) gets a row of its own.
  const row = testDialect() === 'postgres' ? { ...input, scenario: `${input.scenario} (PostgreSQL)` } : input
  task.meta.fault = { ...row, seconds: Math.round((performance.now() - started) / 100) / 10 }
  console.log(`[faults] ${row.scenario}: ${JSON.stringify(row)}`)
  expect(
    { lost: row.lost, duplicated: row.duplicated, outOfOrder: row.outOfOrder, overcharged: row.overcharged },
    `${row.scenario}: nothing lost, nothing doubled, nothing reordered, nobody overcharged`,
  ).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, overcharged: 0 })
}

import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The fault suite: `pnpm test:faults` (SUPORTRA_FAULTS=large for the sizes of the issue). It is
// its own Vitest config, not a project of the root one, so a plain `vitest run` never starts it.
const conditions = ['source']
const large = process.env.SUPORTRA_FAULTS === 'large'

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    name: 'faults',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.fault.test.ts'],
    environment: 'node',
    // One scenario at a time: each one loads the machine on its own, and timings matter.
    fileParallelism: false,
    pool: 'forks',
    // Leak checks force garbage collection before measuring the heap.
    execArgv: ['--expose-gc'],
    testTimeout: large ? 3 * 60 * 60_000 : 10 * 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './support/table-reporter.ts'],
  },
})

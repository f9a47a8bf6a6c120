import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// `pnpm screenshots`: every `*.shots.ts` here opens the examples in headless Chromium at the sizes
// people use and writes PNGs to `screenshots/` at the repository root (ignored by git), so a reviewer
// can look at each screen without running anything else. Not part of `pnpm test`.
const conditions = ['source']

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    name: 'screenshots',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.shots.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 5 * 60_000,
    hookTimeout: 120_000,
  },
})

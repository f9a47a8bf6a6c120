import { defineConfig } from 'vitest/config'

// Workspace packages resolve to their TypeScript sources (the `source` export condition),
// so tests never run against a stale build.
const resolve = { conditions: ['source'] }

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    projects: [
      {
        resolve,
        ssr: { resolve: { conditions: ['source'] } },
        test: {
          name: 'server',
          root: 'packages/server',
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        resolve,
        ssr: { resolve: { conditions: ['source'] } },
        test: {
          name: 'client',
          root: 'packages/client',
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
})

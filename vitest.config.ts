import { defineConfig } from 'vitest/config'

// Workspace packages resolve to their TypeScript sources (the `source` export condition),
// so tests never run against a stale build.
const conditions = ['source']

/** One Vitest project per package (and one for the examples). */
function project(
  name: string,
  root: string,
  environment: 'node' | 'happy-dom' = 'node',
  jsx?: 'preact' | 'react',
) {
  return {
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    ...(jsx && { oxc: { jsx: { runtime: 'automatic' as const, importSource: jsx } } }),
    test: { name, root, environment, testTimeout: 30_000, hookTimeout: 30_000 },
  }
}

export default defineConfig({
  test: {
    projects: [
      project('server', 'packages/server'),
      project('client', 'packages/client'),
      project('widget', 'packages/widget', 'happy-dom', 'preact'),
      project('examples', 'examples'),
    ],
  },
})

import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { preactH } from './packages/widget/preact-h.js'

// Workspace packages resolve to their TypeScript sources (the `source` export condition),
// so tests never run against a stale build.
const conditions = ['source']

/** One Vitest project per package (and one for the examples). */
function project(
  name: string,
  root: string,
  environment: 'node' | 'dom' = 'node',
  jsx?: 'preact' | 'react',
  setupFiles: string[] = [],
) {
  return {
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    ...(jsx === 'react' && { oxc: { jsx: { runtime: 'automatic' as const, importSource: jsx } } }),
    // The widget's JSX compiled as its builds compile it.
    ...(jsx === 'preact' && { oxc: preactH.oxc, plugins: [preactH.plugin] }),
    test: {
      name,
      root,
      environment:
        environment === 'dom'
          ? fileURLToPath(new URL('test/happy-dom-environment.ts', import.meta.url))
          : 'node',
      testTimeout: 30_000,
      hookTimeout: 30_000,
      // `expect.poll` waits as long as a locator does: 1 s (the default) is too tight on a busy CI machine.
      expect: { poll: { timeout: 10_000 } },
      setupFiles,
    },
  }
}

/** React 18 for the second run of the hook tests: every import of React resolves to packages/react/react18. */
const react18 = fileURLToPath(new URL('packages/react/react18/node_modules/', import.meta.url))
const onReact18 = {
  ...project('react-18', 'packages/react', 'dom', 'react'),
  resolve: {
    conditions,
    alias: [
      { find: /^react(\/.*)?$/, replacement: `${react18}react$1` },
      { find: /^react-dom(\/.*)?$/, replacement: `${react18}react-dom$1` },
      { find: /^@testing-library\/react$/, replacement: `${react18}@testing-library/react` },
    ],
  },
}

export default defineConfig({
  test: {
    projects: [
      project('server', 'packages/server'),
      project('protocol', 'packages/protocol'),
      project('client', 'packages/client'),
      project('cli', 'packages/cli'),
      project('mcp', 'packages/mcp'),
      project('widget', 'packages/widget', 'dom', 'preact', ['test/setup.ts']),
      project('react', 'packages/react', 'dom', 'react'),
      {
        ...onReact18,
        test: {
          ...onReact18.test,
          include: ['src/hooks.test.tsx', 'src/connections.test.tsx', 'src/widget/suportra-widget.test.tsx'],
          // hooks.test.tsx checks React.version against this: a broken alias cannot pass as React 18.
          env: { REACT_MAJOR: '18' },
          server: { deps: { inline: [/@testing-library/] } },
        },
      },
      project('examples', 'examples'),
      // The tarball-install test: every published package packed, installed with npm, type-checked and run.
      {
        ...project('packages', 'test/packages'),
        test: { ...project('packages', 'test/packages').test, testTimeout: 120_000 },
      },
    ],
  },
})

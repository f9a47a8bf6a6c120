// The packages as a vendor meets them: every published package of the workspace packed with
// `pnpm pack` (as `pnpm publish` packs it), the tarballs installed into a scratch project with npm
// (third-party dependencies from the registry), a sample importing every export type-checked
// with `moduleResolution` `bundler`, `node16` and `node`, then run against the real server.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { publicPackages, root } from '../../scripts/workspace-packages.mjs'

interface Workspace {
  name: string
  dir: string
  manifest: { version: string; exports: Record<string, unknown> }
}
const packages = publicPackages() as Workspace[]
const scratch = mkdtempSync(join(tmpdir(), 'suportra-tarballs-'))
const tarballs = join(scratch, 'tarballs')
const app = join(scratch, 'app')
const tsc = join(root, 'node_modules/typescript/bin/tsc')
const tarballOf: Record<string, string> = {}
let server: TestServer

// Asynchronous: the test server answers from this process while a command runs.
const run = async (command: string, args: string[], cwd: string) =>
  (await promisify(execFile)(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout

/** Every import specifier a vendor may write: each package's export subpaths but package.json. */
const specifiers = packages.flatMap(({ name, manifest }) =>
  Object.keys(manifest.exports)
    .filter((sub) => sub !== './package.json')
    .map((sub) => (sub === '.' ? name : `${name}${sub.slice(1)}`)),
)

// What a vendor writes: the client against a server in Node (20 has no global WebSocket: `ws`).
const sample = `import { createClient, memoryStorage, SuportraError } from '@suportra/client'
import { MAX_TEXT_LENGTH } from '@suportra/protocol/constants'
import { SuportraProvider, useCredits } from '@suportra/react'
import { mount } from '@suportra/widget'
import WebSocket from 'ws'

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:8787'
const client = createClient({ baseUrl, appId: 'app_demo', storage: memoryStorage(), WebSocket })
try {
  await client.auth.signIn({ email: 'ada@example.com', password: 'demo-password' })
  const session = await client.sessions.start({ tool: 'cursor', topic: 'Installed from a tarball' })
  const sent = await session.send('Hello from the tarballs')
  const balance: number = await client.credits.refresh()
  console.log(JSON.stringify({
    session: session.id,
    sent: sent.body,
    balance,
    limit: typeof MAX_TEXT_LENGTH,
    exports: [typeof mount, typeof SuportraProvider, typeof useCredits, typeof SuportraError.isInstance],
  }))
} finally {
  client.destroy()
}
`

const configs = {
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
  node16: { module: 'node16', moduleResolution: 'node16' },
  node: { module: 'esnext', moduleResolution: 'node' },
} as const

beforeAll(async () => {
  server = await startTestServer()
  mkdirSync(tarballs)
  mkdirSync(app)
  for (const { name, dir, manifest } of packages) {
    await run('pnpm', ['pack', '--pack-destination', tarballs], dir)
    tarballOf[name] = join(tarballs, `${name.slice(1).replace('/', '-')}-${manifest.version}.tgz`)
  }
  const own = Object.fromEntries(Object.entries(tarballOf).map(([name, file]) => [name, `file:${file}`]))
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'vendor-app',
      private: true,
      type: 'module',
      dependencies: { ...own, ws: '^8.18.0' },
      devDependencies: { '@types/node': '^20.19.0', '@types/react': '^19.0.0', '@types/ws': '^8.18.0' },
      // The packages depend on each other by version (0.1.0, not on the registry yet): the tarballs.
      overrides: own,
    }),
  )
  // Install scripts stay off (npm's default): better-sqlite3 is not compiled; the sample runs the
  // client against the repository's server.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], app)
  writeFileSync(join(app, 'sample.ts'), sample)
  writeFileSync(
    join(app, 'every-export.ts'),
    specifiers.map((s, i) => `export * as e${i} from '${s}'\n`).join(''),
  )
}, 600_000)

afterAll(async () => {
  await server?.close()
  rmSync(scratch, { recursive: true, force: true })
})

test('every tarball holds the LICENSE, the README and its built files, and no tests', async () => {
  for (const file of Object.values(tarballOf)) {
    const entries = (await run('tar', ['tzf', file], tarballs)).split('\n')
    expect(entries, file).toContain('package/LICENSE')
    expect(entries, file).toContain('package/README.md')
    expect(
      entries.some((entry) => entry.startsWith('package/dist/')),
      file,
    ).toBe(true)
    expect(
      entries.filter((entry) => /\.test\.tsx?$/.test(entry)),
      file,
    ).toEqual([])
  }
  expect(readdirSync(tarballs)).toHaveLength(packages.length)
})

for (const [name, options] of Object.entries(configs)) {
  test(`the sample and every export type-check with moduleResolution ${name}`, async () => {
    writeFileSync(
      join(app, `tsconfig.${name}.json`),
      JSON.stringify({
        compilerOptions: {
          ...options,
          target: 'es2022',
          lib: ['es2022', 'dom'],
          strict: true,
          esModuleInterop: true,
          skipLibCheck: false,
          types: ['node'],
          outDir: `out-${name}`,
        },
        files: ['sample.ts', 'every-export.ts'],
      }),
    )
    let output = ''
    try {
      await run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], app)
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error)
    }
    expect(output).toBe('')
  })
}

test('the sample built with node16 runs against the real server', async () => {
  const out = await run(process.execPath, [join(app, 'out-node16/sample.js'), server.url], app)
  const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}')
  expect(result).toMatchObject({
    sent: 'Hello from the tarballs',
    limit: 'number',
    exports: ['function', 'function', 'function', 'function'],
  })
  expect(result.session).toMatch(/\S/)
  expect(typeof result.balance).toBe('number')
})

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { cleanup, eventually, suportra } from './run.js'
import { builder, claim, cleanupUsers, cliUser, startedId } from './support.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterEach(() => {
  cleanup()
  cleanupUsers()
})
afterAll(() => server.close())

/** A git repository with one file, `config.ts`, committed. */
function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'suportra-cli-patch-'))
  writeFileSync(join(dir, 'config.ts'), "export default { pool: 'threads' }\n")
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' })
  git('init', '-q')
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.')
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init')
  return dir
}

const diff = `--- a/config.ts
+++ b/config.ts
@@ -1 +1 @@
-export default { pool: 'threads' }
+export default { pool: 'forks' }
`

test('piped, --apply-patches: a builder’s patch is checked, applied in the working tree, and reported back as a patch result', async () => {
  const dir = repository()
  const user = await cliUser(server)
  const theBuilder = await builder(server)
  const cli = suportra(['ask', 'Vitest hangs', '--apply-patches'], { env: user.env, cwd: dir })
  const theirs = await claim(theBuilder, await startedId(cli))
  const sent = await theirs.send({ text: 'Use the forks pool', patch: { diff, description: 'forks pool' } })

  await eventually(() => expect(readFileSync(join(dir, 'config.ts'), 'utf8')).toContain("pool: 'forks'"))
  await eventually(() =>
    expect(theirs.$messages.get().find((m) => m.patchResult)).toMatchObject({
      author: 'user',
      body: 'Patch applied',
      patchResult: { messageId: sent.id, applied: true },
    }),
  )
  await theirs.close()
  expect(await cli.exited).toBe(0)
})

test('piped, without --apply-patches: the patch is shown, nothing in the tree changes, nothing is reported', async () => {
  const dir = repository()
  const user = await cliUser(server)
  const theBuilder = await builder(server)
  const cli = suportra(['ask', 'Vitest hangs'], { env: user.env, cwd: dir })
  const theirs = await claim(theBuilder, await startedId(cli))
  await theirs.send({ text: 'Use the forks pool', patch: { diff } })

  await eventually(() => expect(cli.stderr).toContain('not applied (no terminal to ask'))
  expect(cli.stdout).toContain("+export default { pool: 'forks' }")
  expect(readFileSync(join(dir, 'config.ts'), 'utf8')).toContain("pool: 'threads'")
  await theirs.close()
  expect(await cli.exited).toBe(0)
  expect(theirs.$messages.get().some((m) => m.patchResult)).toBe(false)
})

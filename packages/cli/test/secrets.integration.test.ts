import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { cleanup, configDir, eventually, suportra } from './run.js'
import { bodies, builder, claim, cleanupUsers, cliUser, startedId } from './support.js'

const awsKey = 'AKIAZ7Q3XWJ5N2LKD4PM'
const awsSecret = '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'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterEach(() => {
  cleanup()
  cleanupUsers()
})
afterAll(() => server.close())

function vitestConfig() {
  const file = join(configDir(), 'vitest.config.ts')
  writeFileSync(
    file,
    `import { defineConfig } from 'vitest/config'\n\nprocess.env.AWS_ACCESS_KEY_ID = '${awsKey}'\nprocess.env.AWS_SECRET_ACCESS_KEY = '${awsSecret}'\n\nexport default defineConfig({ test: { pool: 'threads' } })\n`,
  )
  return file
}

test('piped, no terminal: a secret in a line and in an attachment reaches the builder redacted; no line is taken as an answer', async () => {
  const user = await cliUser(server)
  const theBuilder = await builder(server)
  const cli = suportra(['ask', 'Vitest hangs after the upgrade', '--attach', vitestConfig()], {
    env: user.env,
  })
  // The first line starts with "s": the old command took it as "send anyway" and swallowed it.
  cli.write('so the tests hang forever\n')
  cli.write(`the CI has AWS_SECRET_ACCESS_KEY=${awsSecret} set\n`)

  const theirs = await claim(theBuilder, await startedId(cli))
  await eventually(() => expect(bodies(theirs)).toHaveLength(3))
  expect(bodies(theirs)).toEqual(
    expect.arrayContaining([
      'so the tests hang forever',
      'the CI has AWS_SECRET_ACCESS_KEY=[redacted aws-secret-access-key] set',
      'Attached: vitest.config.ts',
    ]),
  )
  const file = theirs.$messages.get().flatMap((m) => m.attachments)[0]
  expect(file?.name).toBe('vitest.config.ts')
  const uploaded = await (await theBuilder.download(file?.url ?? '')).text()
  expect(uploaded).toContain("export default defineConfig({ test: { pool: 'threads' } })")
  expect(uploaded).not.toContain(awsKey)
  expect(uploaded).not.toContain(awsSecret)
  expect(cli.stderr).toContain('vitest.config.ts contains what looks like a secret')
  expect(cli.stderr).toContain('sent redacted (no terminal to ask; --send-anyway sends it as it is)')

  await theirs.close()
  expect(await cli.exited).toBe(0)
  expect(cli.stdout).toContain('Session closed.')
})

test('piped with --send-anyway: the line goes as it is, and the command says so', async () => {
  const user = await cliUser(server)
  const theBuilder = await builder(server)
  const cli = suportra(['ask', 'Upload to S3 fails', '--send-anyway'], { env: user.env })
  cli.write(`The key is ${awsKey}\n`)
  const theirs = await claim(theBuilder, await startedId(cli))
  await eventually(() => expect(bodies(theirs)).toEqual([`The key is ${awsKey}`]))
  expect(cli.stderr).toContain('sent as it is (--send-anyway)')
  await theirs.close()
  expect(await cli.exited).toBe(0)
})

test('--context-from-git: the credentials in the remote URL are stripped before anything is sent or checked', async () => {
  const repo = join(configDir(), 'shop')
  mkdirSync(repo)
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' })
  git('init', '-q')
  git('remote', 'add', 'origin', 'https://bob:hunter2@git.example.com/ada/shop.git')
  writeFileSync(
    join(repo, 'cart.ts'),
    'export const total = (items: number[]) => items.reduce((a, b) => a + b)\n',
  )
  git('add', '.')
  git('-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', 'commit', '-qm', 'cart')
  writeFileSync(
    join(repo, 'cart.ts'),
    'export const total = (items: number[]) => items.reduce((a, b) => a + b, 0)\n',
  )

  const user = await cliUser(server)
  const theBuilder = await builder(server)
  const cli = suportra(['ask', 'Empty cart crashes', '--context-from-git'], { env: user.env, cwd: repo })
  const theirs = await claim(theBuilder, await startedId(cli))
  const context = theirs.$session.get()?.context
  expect(context?.project).toEqual({ name: 'shop', repositoryUrl: 'https://git.example.com/ada/shop' })
  expect(context?.diff).toContain(
    '+export const total = (items: number[]) => items.reduce((a, b) => a + b, 0)',
  )
  expect(JSON.stringify(theirs.$session.get())).not.toMatch(/hunter2|bob/)
  // Stripped before the secret check: there was nothing left for it to find.
  expect(cli.stderr).not.toContain('secret')
  await theirs.close()
  expect(await cli.exited).toBe(0)
})

test('piped, Ctrl+C (SIGINT) while waiting: nobody to ask, so the session is cancelled and the credit released', async () => {
  const user = await cliUser(server, 2)
  const cli = suportra(['ask', 'Deploy hangs'], { env: user.env })
  const id = await startedId(cli)
  await eventually(() => expect(cli.stdout).toContain('Waiting: #1 in the queue'))
  expect(await user.client.credits.refresh()).toBe(1)
  cli.child.kill('SIGINT')
  expect(await cli.exited).toBe(130)
  expect(cli.stdout).toContain(`Cancelled ${id}; the credit held is released.`)
  expect(await user.client.credits.refresh()).toBe(2)
  expect((await user.client.sessions.list()).find((s) => s.id === id)?.status).toBe('cancelled')
})

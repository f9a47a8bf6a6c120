import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient, memoryStorage } from '@suportra/client'
import { DEMO, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const until = async (check: () => boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Runs ask.js against the test server; `output()` is what it printed so far. */
function ask(...args: string[]) {
  const script = spawn(process.execPath, [fileURLToPath(new URL('./ask.js', import.meta.url)), ...args], {
    env: { ...process.env, SUPORTRA_URL: server.url },
  })
  let output = ''
  script.stdout.on('data', (chunk) => {
    output += chunk
  })
  script.stderr.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => script.on('exit', resolve))
  return { stdin: script.stdin, output: () => output, exited }
}

const balance = async () => {
  const user = createClient({ baseUrl: server.url, appId: DEMO.appId, storage: memoryStorage(), WebSocket })
  await user.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  const credits = await user.credits.refresh()
  user.destroy()
  return credits
}

test('the script asks, the builder answers, the user replies, the builder closes, the script exits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ask-'))
  const attachment = join(dir, 'vite.config.ts')
  writeFileSync(attachment, 'export default { test: { pool: "threads" } }\n')
  const { stdin, output, exited } = ask('--tool', 'cursor', '--topic', 'Tests hang', '--attach', attachment)

  const builder = createClient({
    baseUrl: server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket,
  })
  await builder.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
  const off = builder.builder.$queue.listen(() => {})
  await until(
    () => builder.builder.$queue.get().some((s) => s.topic === 'Tests hang'),
    'the session in the queue',
  )
  const waiting = builder.builder.$queue.get().find((s) => s.topic === 'Tests hang')
  const session = await builder.builder.claim(waiting?.id ?? '')
  const offMessages = session.$messages.listen(() => {})

  await until(
    () => session.$messages.get().some((m) => m.attachments[0]?.name === 'vite.config.ts'),
    'the attached file',
  )
  await until(() => output().includes('joined'), 'the script to notice the builder')
  await session.send('Switch the pool to forks and run again.')
  await until(() => output().includes('builder> Switch the pool to forks'), 'the reply in the terminal')

  stdin.write('That worked, thanks!\n')
  await until(() => session.$messages.get().some((m) => m.body === 'That worked, thanks!'), 'the user reply')
  await session.close()
  expect(await exited).toBe(0)
  expect(output()).toContain('Session closed.')
  off()
  offMessages()
  builder.destroy()
})

test('a file that cannot be read stops the script before any session or credit hold exists', async () => {
  const before = await balance()
  const { output, exited } = ask('--topic', 'Missing file', '--attach', '/nonexistent/notes.md')
  expect(await exited).not.toBe(0)
  expect(output()).toContain('/nonexistent/notes.md')
  expect(output()).not.toContain('started')
  expect(await balance()).toBe(before)
})

test('/end while waiting cancels the session, releases the hold and exits', async () => {
  const before = await balance()
  const { stdin, output, exited } = ask('--topic', 'Never mind')
  await until(() => output().includes('waiting for a builder'), 'the session to start')
  expect(await balance()).toBe(before - 1)
  stdin.write('/end\n')
  expect(await exited).toBe(0)
  expect(output()).toContain('Session cancelled.')
  expect(await balance()).toBe(before)
})

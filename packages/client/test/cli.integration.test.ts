import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SuportraClient } from '@suportra/client'
import { createUser, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { DEMO, eventually, makeClient, signedIn, watch } from './helpers.js'

// The built command, as `npm i -g @suportra/client` installs it (`pnpm test` builds before testing).
const bin = fileURLToPath(new URL('../dist/cli/suportra.js', import.meta.url))
const awsKey = 'AKIAZ7Q3XWJ5N2LKD4PM'
const awsSecret = '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'

let server: TestServer
let configDir: string
const cleanup: (() => void)[] = []
beforeAll(async () => {
  server = await startTestServer()
})
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn()
})
afterAll(() => server.close())

/** Runs `suportra …` with its own config directory; output is collected as it arrives. */
function suportra(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: {
      ...process.env,
      SUPORTRA_URL: server.url,
      SUPORTRA_APP: DEMO.appId,
      SUPORTRA_CONFIG_DIR: configDir,
      ...env,
    },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  cleanup.push(() => child.kill())
  return {
    child,
    exited,
    get stdout() {
      return stdout
    },
    get stderr() {
      return stderr
    },
    type: (line: string) => child.stdin.write(`${line}\n`),
  }
}

async function run(args: string[], env?: Record<string, string>) {
  const cli = suportra(args, env)
  cli.child.stdin.end()
  const code = await cli.exited
  return { code, stdout: cli.stdout, stderr: cli.stderr }
}

function fileWithSecrets() {
  const file = join(configDir, 'deploy.ts')
  writeFileSync(
    file,
    `import { S3Client } from '@aws-sdk/client-s3'\n\nexport const s3 = new S3Client({\n  credentials: { accessKeyId: '${awsKey}', secretAccessKey: '${awsSecret}' },\n})\n`,
  )
  return file
}

async function builderWatchingQueue(): Promise<SuportraClient> {
  const builder = await signedIn(server.url, 'builder')
  cleanup.push(watch(builder.builder.$queue, builder.$connection), () => builder.destroy())
  return builder
}

beforeAll(() => {
  configDir = mkdtempSync(join(tmpdir(), 'suportra-cli-'))
  return () => rmSync(configDir, { recursive: true, force: true })
})

test('login keeps the session in a file only its owner can read; commands need it', async () => {
  const before = await run(['sessions'])
  expect(before.code).toBe(1)
  expect(before.stderr).toContain('Not signed in')

  const wrong = await run(['login', '--email', DEMO.user.email], { SUPORTRA_PASSWORD: 'not-the-password' })
  expect(wrong.code).toBe(1)
  expect(wrong.stderr).toMatch(/^suportra: .+/)

  const login = await run(['login', '--email', DEMO.user.email], { SUPORTRA_PASSWORD: DEMO.user.password })
  expect(login.stderr).toBe('')
  expect(login.code).toBe(0)
  expect(login.stdout).toContain(`Signed in as ${DEMO.user.name} <${DEMO.user.email}>`)
  expect(statSync(join(configDir, 'storage.json')).mode & 0o777).toBe(0o600)
})

test('ask: secrets in an attachment are caught and redacted; builder reply, user reply, closed by the builder; transcript', async () => {
  const builder = await builderWatchingQueue()
  const cli = suportra([
    'ask',
    'Vitest hangs after the upgrade',
    '--tool',
    'claude-code',
    '--attach',
    fileWithSecrets(),
  ])

  await eventually(() => expect(cli.stdout).toContain('[r]edact and send'))
  expect(cli.stdout).toMatch(/deploy\.ts looks like it contains a secret \(.*aws-access-key-id.*\)/)
  cli.type('r')

  await eventually(() => expect(cli.stdout).toMatch(/Session (\S+) started/))
  const sessionId = /Session (\S+) started/.exec(cli.stdout)?.[1] ?? ''
  await eventually(() => expect(builder.builder.$queue.get().map((s) => s.id)).toContain(sessionId))
  const theirs = await builder.builder.claim(sessionId)
  cleanup.push(watch(theirs.$messages, theirs.$session))
  expect(theirs.$session.get()?.tool).toBe('claude-code')

  // What reached the server is the redacted file.
  await eventually(() => expect(theirs.$messages.get().some((m) => m.attachments.length > 0)).toBe(true))
  const attachment = theirs.$messages.get().flatMap((m) => m.attachments)[0]
  expect(attachment?.name).toBe('deploy.ts')
  const uploaded = await (await builder.download(attachment?.url ?? '')).text()
  expect(uploaded).toContain("import { S3Client } from '@aws-sdk/client-s3'")
  expect(uploaded).not.toContain(awsKey)
  expect(uploaded).not.toContain(awsSecret)

  await eventually(() => expect(cli.stdout).toContain(`${DEMO.builder.name} joined`))
  await theirs.send('Run it with `--pool=forks`; the threads pool deadlocks on your native addon.')
  await eventually(() => expect(cli.stdout).toContain('builder> Run it with `--pool=forks`'))

  cli.type('That fixed it, thank you!')
  await eventually(() =>
    expect(theirs.$messages.get().map((m) => m.body)).toContain('That fixed it, thank you!'),
  )

  await theirs.close()
  expect(await cli.exited).toBe(0)
  expect(cli.stdout).toContain('Session closed.')
  expect(cli.stderr).toBe('')

  const sessions = await run(['sessions'])
  expect(sessions.stdout).toMatch(
    new RegExp(`${sessionId} .* closed .* claude-code .* Vitest hangs after the upgrade`),
  )

  const transcript = await run(['transcript', sessionId])
  expect(transcript.code).toBe(0)
  expect(transcript.stdout).toContain('# Vitest hangs after the upgrade')
  expect(transcript.stdout).toContain('Run it with `--pool=forks`')
  expect(transcript.stdout).toContain('That fixed it, thank you!')
  expect(transcript.stdout).not.toContain(awsKey)
})

/** A new user with credits, signed in to the command with a config directory of its own. */
async function freshUser(): Promise<Record<string, string>> {
  const email = `cli-${Math.random().toString(36).slice(2, 10)}@example.com`
  await createUser(server, { email, credits: 2 })
  const env = { SUPORTRA_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'suportra-cli-user-')) }
  cleanup.push(() => rmSync(env.SUPORTRA_CONFIG_DIR, { recursive: true, force: true }))
  const login = await run(['login', '--email', email], { ...env, SUPORTRA_PASSWORD: DEMO.user.password })
  expect(login.stderr).toBe('')
  return env
}

/**
 * Starts `suportra ask …` as a new user; a builder claims the session. (What the command prints
 * from realtime, such as "… joined", is not waited for here; the first test covers it.)
 */
async function claimed(args: string[]) {
  const builder = await builderWatchingQueue()
  const cli = suportra(['ask', ...args], await freshUser())
  await eventually(() => expect(cli.stdout).toMatch(/Session (\S+) started/))
  const sessionId = /Session (\S+) started/.exec(cli.stdout)?.[1] ?? ''
  await eventually(() => expect(builder.builder.$queue.get().map((s) => s.id)).toContain(sessionId))
  const theirs = await builder.builder.claim(sessionId)
  cleanup.push(watch(theirs.$messages, theirs.$session))
  return { cli, builder, theirs }
}

test('a secret typed in the chat is asked about; the answer ("r") is not sent as a message', async () => {
  const { cli, theirs } = await claimed(['Upload to S3 fails'])
  const bodies = () => theirs.$messages.get().flatMap((m) => (m.kind === 'event' ? [] : [m.body]))

  cli.type(`The key is ${awsKey}, region eu-west-1`)
  await eventually(() =>
    expect(cli.stdout).toContain('That message looks like it contains a secret (aws-access-key-id)'),
  )
  cli.type('r')
  await eventually(() =>
    expect(bodies()).toContain('The key is [redacted aws-access-key-id], region eu-west-1'),
  )
  // Messages are sent in order: had "r" been sent, it would be stored before this one.
  cli.type('Anything else you need?')
  await eventually(() => expect(bodies()).toContain('Anything else you need?'))
  expect(bodies()).toEqual([
    'The key is [redacted aws-access-key-id], region eu-west-1',
    'Anything else you need?',
  ])

  expect(cli.stderr).toBe('')
  await theirs.close()
})

test('--attach an image: it reaches the builder byte for byte, as image/png, without a secret prompt', async () => {
  // A 1×1 PNG: not UTF-8 text (0x89 first, NUL bytes), so it is neither scanned nor rewritten.
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  )
  const file = join(configDir, 'screenshot.png')
  writeFileSync(file, png)
  const { cli, builder, theirs } = await claimed(['The button is off by a pixel', '--attach', file])

  await eventually(() => expect(theirs.$messages.get().some((m) => m.attachments.length > 0)).toBe(true))
  const attachment = theirs.$messages.get().flatMap((m) => m.attachments)[0]
  expect(attachment).toMatchObject({ name: 'screenshot.png', type: 'image/png', size: png.length })
  const downloaded = Buffer.from(await (await builder.download(attachment?.url ?? '')).arrayBuffer())
  expect(downloaded.equals(png)).toBe(true)
  expect(readFileSync(file).equals(png)).toBe(true)
  expect(cli.stdout).not.toContain('[r]edact')
  await theirs.close()
})

test('login reads the password from piped stdin as typed, spaces included', async () => {
  const password = '  correct horse  battery staple '
  const email = `spaces-${Date.now()}@example.com`
  const client = makeClient(server.url)
  cleanup.push(() => client.destroy())
  await client.auth.signUp({ name: 'Spacey', email, password, ageConfirmed: true })
  const own = { SUPORTRA_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'suportra-cli-login-')) }
  cleanup.push(() => rmSync(own.SUPORTRA_CONFIG_DIR, { recursive: true, force: true }))

  const cli = suportra(['login', '--email', email], own)
  cli.type(password)
  cli.child.stdin.end()
  expect(await cli.exited).toBe(0)
  expect(cli.stdout).toContain(`Signed in as Spacey <${email}>`)
})

// `script` runs the command in a pseudo-terminal, as when a person types in a shell.
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
test.skipIf(!hasScript)('login in a terminal: the password typed is not shown', async () => {
  const own = { SUPORTRA_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'suportra-cli-tty-')) }
  cleanup.push(() => rmSync(own.SUPORTRA_CONFIG_DIR, { recursive: true, force: true }))
  const command = [process.execPath, bin, 'login', '--email', DEMO.user.email]
    .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
    .join(' ')
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { ...process.env, SUPORTRA_URL: server.url, SUPORTRA_APP: DEMO.appId, ...own },
  })
  cleanup.push(() => child.kill())
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))

  await eventually(() => expect(output).toContain('Password: '))
  child.stdin.write(`${DEMO.user.password}\r`)
  await eventually(() => expect(output).toContain(`Signed in as ${DEMO.user.name}`))
  expect(output).not.toContain(DEMO.user.password)
  child.stdin.end()
  expect(await exited).toBe(0)
})

test('with nobody to answer the secret prompt, nothing is sent and no session (or credit hold) is made', async () => {
  const user = await signedIn(server.url, 'user')
  cleanup.push(() => user.destroy())
  const before = (await user.sessions.list()).length
  const balance = await user.credits.refresh()

  const result = await run(['ask', 'Deploy fails', '--attach', fileWithSecrets()])
  expect(result.code).toBe(0)
  expect(result.stdout).toContain('Not sent.')
  expect(result.stdout).toContain('deploy.ts was not sent')
  expect(await user.sessions.list()).toHaveLength(before)
  expect(await user.credits.refresh()).toBe(balance)
})

test('--context-from-git hands the builder the project and its uncommitted diff', async () => {
  const repo = join(configDir, 'shop')
  mkdirSync(repo)
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' })
  git('init', '-q')
  git('remote', 'add', 'origin', 'git@github.com:ada/shop.git')
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

  const builder = await builderWatchingQueue()
  const cli = suportra(['ask', 'Empty cart crashes', '--context-from-git'], {}, repo)
  await eventually(() => expect(cli.stdout).toMatch(/Session (\S+) started/))
  const sessionId = /Session (\S+) started/.exec(cli.stdout)?.[1] ?? ''
  await eventually(() => expect(builder.builder.$queue.get().map((s) => s.id)).toContain(sessionId))
  const theirs = await builder.builder.claim(sessionId)
  const context = theirs.$session.get()?.context
  expect(context?.project).toEqual({ name: 'shop', repositoryUrl: 'https://github.com/ada/shop' })
  expect(context?.diff).toContain(
    '+export const total = (items: number[]) => items.reduce((a, b) => a + b, 0)',
  )
  await theirs.close()
  expect(await cli.exited).toBe(0)
})

test('unknown commands and a missing topic are errors with a message', async () => {
  const unknown = await run(['frobnicate'])
  expect(unknown.code).toBe(1)
  expect(unknown.stderr).toContain('Unknown command "frobnicate"')
  const missing = await run(['ask'])
  expect(missing.code).toBe(1)
  expect(missing.stderr).toContain('Usage: suportra ask')
})

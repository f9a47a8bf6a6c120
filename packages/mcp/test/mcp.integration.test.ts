import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { fileStorage } from '@suportra/cli/storage'
import { createClient, memoryStorage, type SuportraClient, type WebSocketFactory } from '@suportra/client'
import { api, createUser, DEMO, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'

// `suportra-mcp` driven as an MCP client drives it: the SDK's own Client spawns the built bin over
// stdio, against the real server. (Build first: `pnpm --filter @suportra/mcp build`.)

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const AWS_KEY = 'AKIAZ7XQ4M2PLW9RT3VB'
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Hv2LmNa'
const DIFF = [
  '--- a/vitest.config.ts',
  '+++ b/vitest.config.ts',
  '@@ -1,3 +1,3 @@',
  ' export default defineConfig({',
  '-  test: { testTimeout: 5000 },',
  '+  test: { testTimeout: 5000, teardownTimeout: 1000, pool: "forks" },',
  ' })',
  '',
].join('\n')

let server: TestServer
let builder: SuportraClient
let configDir: string
const clients: Client[] = []

beforeAll(async () => {
  server = await startTestServer()
  builder = createClient({
    baseUrl: server.url,
    appId: DEMO.appId,
    storage: memoryStorage(),
    WebSocket: WebSocket as unknown as WebSocketFactory,
  })
  await builder.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
  configDir = mkdtempSync(join(tmpdir(), 'suportra-mcp-'))
})
afterAll(async () => {
  for (const client of clients) await client.close()
  builder.destroy()
  await server.close()
  rmSync(configDir, { recursive: true, force: true })
})

/** Spawns `suportra-mcp` with this environment and connects the SDK's client to it. */
async function connect(env: Record<string, string>): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN],
    env: {
      PATH: process.env.PATH ?? '',
      SUPORTRA_URL: server.url,
      SUPORTRA_APP: DEMO.appId,
      SUPORTRA_CONFIG_DIR: configDir,
      ...env,
    },
    stderr: 'pipe',
  })
  let log = ''
  transport.stderr?.on('data', (chunk) => {
    log += String(chunk)
  })
  const client = new Client({ name: 'suportra-mcp-test', version: '1.0.0' })
  await client.connect(transport)
  clients.push(client)
  return { client, stderr: () => log }
}

const call = (client: Client, name: string, args: Record<string, unknown>) =>
  client.callTool({ name, arguments: args }) as Promise<CallToolResult>
const textOf = (result: CallToolResult) =>
  result.content.map((part) => (part.type === 'text' ? part.text : '')).join('')

async function balanceOf(token: string): Promise<number> {
  return (await api(server.url, 'GET', '/v1/credits', { token })).body.balance
}

test('an agent asks a human with a secret in its context, gets text and a patch back, ends and rates; a second ask beyond the limit is refused', async () => {
  const user = await createUser(server, { credits: 3 })
  const { client, stderr } = await connect({
    SUPORTRA_EMAIL: user.user.email ?? '',
    SUPORTRA_PASSWORD: DEMO.user.password,
    SUPORTRA_MAX_CREDITS: '1',
  })

  const { tools } = await client.listTools()
  expect(tools.map((t) => t.name).sort()).toEqual([
    'ask_human',
    'end_session',
    'list_sessions',
    'send_message',
    'wait_for_reply',
  ])
  const ask = tools.find((t) => t.name === 'ask_human')
  expect(ask?.description).toMatch(/human expert/)
  expect(ask?.inputSchema.required).toEqual(['topic'])
  expect(Object.keys(ask?.inputSchema.properties ?? {})).toEqual(['topic', 'tool', 'context'])

  // ask_human with an AWS key in the terminal output and in a file.
  const asked = await call(client, 'ask_human', {
    topic: 'vitest hangs after all tests pass',
    tool: 'claude-code',
    context: {
      terminal: `$ AWS_ACCESS_KEY_ID=${AWS_KEY} pnpm test\n ✓ 42 tests passed\n(hangs)`,
      file: { path: 'vitest.config.ts', language: 'ts', content: `const secret = "${AWS_SECRET}"\n` },
      conversation: [{ role: 'user', content: 'why does vitest hang?' }],
    },
  })
  expect(asked.isError ?? false).toBe(false)
  const started = asked.structuredContent as {
    sessionId: string
    status: string
    position: number
    expectedWait: number | null
    cost: number
  }
  expect(started).toMatchObject({ status: 'waiting', position: 1, cost: 1 })
  expect(textOf(asked)).toMatch(/wait_for_reply/)
  expect(textOf(asked)).toMatch(/Redacted before sending: .*aws/)

  // The builder sees the session with the key redacted, claims it, and answers with text and a patch.
  const queued = (await builder.builder.refresh()).find((s) => s.id === started.sessionId)
  const shared = JSON.stringify(queued?.context)
  expect(shared).not.toContain(AWS_KEY)
  expect(shared).not.toContain(AWS_SECRET)
  expect(shared).toContain('[redacted aws-access-key-id]')
  expect(shared).toContain('why does vitest hang?')
  const handle = await builder.builder.claim(started.sessionId)
  const stopWatching = handle.$messages.listen(() => {})
  await handle.send('An open handle keeps the worker alive; tear it down or use forks:')
  await handle.send({
    text: 'Here is a fix:',
    patch: { diff: DIFF, description: 'Run tests in forks with a teardown timeout' },
  })

  const replied = await call(client, 'wait_for_reply', { sessionId: started.sessionId, timeoutSeconds: 20 })
  expect(replied.isError ?? false).toBe(false)
  const { messages } = replied.structuredContent as {
    messages: { author: string; text: string; patch: { diff: string; description: string } | null }[]
  }
  // Maybe in one call, maybe in two (the patch may land after the first text): collect until both are in.
  const all = [...messages]
  while (!all.some((m) => m.patch)) {
    const more = await call(client, 'wait_for_reply', { sessionId: started.sessionId, timeoutSeconds: 20 })
    all.push(...(more.structuredContent as { messages: typeof messages }).messages)
  }
  expect(all.map((m) => m.text)).toEqual([
    'Grace Hopper joined the session.',
    'An open handle keeps the worker alive; tear it down or use forks:',
    'Here is a fix:',
  ])
  expect(all.find((m) => m.patch)?.patch).toEqual({
    diff: DIFF,
    description: 'Run tests in forks with a teardown timeout',
  })
  expect(all.every((m) => m.author !== 'user')).toBe(true)
  expect(textOf(replied)).toContain('```diff')

  // Nothing new: a short wait answers with the status, not the same messages again.
  const quiet = await call(client, 'wait_for_reply', { sessionId: started.sessionId, timeoutSeconds: 0 })
  expect(textOf(quiet)).toMatch(/No new message.*active with Grace Hopper/)

  // The agent reports back, with a secret in its message redacted.
  const sent = await call(client, 'send_message', {
    sessionId: started.sessionId,
    text: `Applied, thanks. (my key was ${AWS_KEY})`,
  })
  expect(sent.isError ?? false).toBe(false)
  await expect
    .poll(() => handle.$messages.get().find((m) => m.body.startsWith('Applied, thanks'))?.body)
    .toBe('Applied, thanks. (my key was [redacted aws-access-key-id])')
  stopWatching()

  // The transcript resource, as Markdown with the patch.
  const transcript = await client.readResource({ uri: `suportra://sessions/${started.sessionId}/transcript` })
  const markdown = (transcript.contents[0] as { text: string }).text
  expect(markdown).toContain('# vitest hangs after all tests pass')
  expect(markdown).toContain(DIFF.trimEnd())
  expect(markdown).not.toContain(AWS_KEY)

  const ended = await call(client, 'end_session', { sessionId: started.sessionId, score: 5, comment: 'Fast' })
  expect(ended.structuredContent).toMatchObject({ status: 'closed', rating: { score: 5, comment: 'Fast' } })
  const stored = await api(server.url, 'GET', `/v1/sessions/${started.sessionId}`, {
    token: user.accessToken,
  })
  expect(stored.body.session).toMatchObject({ status: 'closed', rating: { score: 5 } })
  expect(await balanceOf(user.accessToken)).toBe(2)

  // Beyond SUPORTRA_MAX_CREDITS: refused with a tool error saying why; nothing started or held.
  const refused = await call(client, 'ask_human', { topic: 'one more question' })
  expect(refused.isError).toBe(true)
  expect(textOf(refused)).toMatch(/Spending limit reached.*SUPORTRA_MAX_CREDITS.*no credit was held/)
  expect(await balanceOf(user.accessToken)).toBe(2)
  const sessions = (await api(server.url, 'GET', '/v1/sessions', { token: user.accessToken })).body.sessions
  expect(sessions.map((s: { status: string }) => s.status)).toEqual(['closed'])

  // stderr says it is ready; stdout carried only MCP frames (the client parsed every line).
  expect(stderr()).toMatch(/suportra-mcp: ready/)
})

test('malformed arguments, unknown sessions and a missing sign-in are tool errors; the server keeps serving', async () => {
  const { client } = await connect({ SUPORTRA_EMAIL: DEMO.user.email, SUPORTRA_PASSWORD: DEMO.user.password })
  const bad: [string, Record<string, unknown>][] = [
    ['ask_human', { topic: 42 }],
    ['ask_human', {}],
    ['ask_human', { topic: 'x', context: { terminal: 'x'.repeat(60_000) } }],
    ['ask_human', { topic: 'x', context: { nope: true } }],
    ['wait_for_reply', { sessionId: 's_1', timeoutSeconds: 601 }],
    ['wait_for_reply', { sessionId: 's_1', timeoutSeconds: 'soon' }],
    ['end_session', { sessionId: 's_1', score: 9 }],
    ['send_message', { sessionId: 's_1' }],
  ]
  for (const [name, args] of bad) {
    // A tool error (isError) the agent reads, not a protocol error or a crash.
    const result = await call(client, name, args)
    expect(result.isError, `${name} ${JSON.stringify(args).slice(0, 60)}`).toBe(true)
    expect(textOf(result)).toMatch(/invalid|Input validation/i)
  }
  const unknown = await call(client, 'wait_for_reply', { sessionId: 'ses_unknown', timeoutSeconds: 1 })
  expect(unknown.isError).toBe(true)
  expect(textOf(unknown)).toMatch(/not_found/)
  expect((await call(client, 'list_sessions', {})).isError ?? false).toBe(false)

  // No sign-in anywhere (an empty config directory, no environment): a tool error that says what to do.
  const { client: anonymous } = await connect({ SUPORTRA_CONFIG_DIR: join(configDir, 'empty') })
  const refused = await call(anonymous, 'list_sessions', {})
  expect(refused.isError).toBe(true)
  expect(textOf(refused)).toMatch(/suportra login.*SUPORTRA_EMAIL/)
})

test("with no sign-in in the environment, the CLI's stored sign-in (SUPORTRA_CONFIG_DIR/storage.json) is used", async () => {
  const dir = join(configDir, 'cli')
  // What `suportra login` leaves behind: the client's sign-in in the CLI's storage file.
  const cli = createClient({
    baseUrl: server.url,
    appId: DEMO.appId,
    storage: fileStorage(join(dir, 'storage.json')),
    WebSocket: WebSocket as unknown as WebSocketFactory,
  })
  const user = await createUser(server, { credits: 1 })
  await cli.auth.signIn({ email: user.user.email ?? '', password: DEMO.user.password })
  cli.destroy()
  const started = await api(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'cursor', topic: 'Started from the CLI' },
  })
  const { client } = await connect({ SUPORTRA_CONFIG_DIR: dir })
  const listed = await call(client, 'list_sessions', {})
  expect(listed.isError ?? false).toBe(false)
  expect(listed.structuredContent).toMatchObject({
    sessions: [{ sessionId: started.body.session.id, status: 'waiting', topic: 'Started from the CLI' }],
  })
})

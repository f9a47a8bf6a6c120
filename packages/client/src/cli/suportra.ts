#!/usr/bin/env node
/**
 * `suportra`: a human builder from the terminal.
 *
 *   suportra login [--email EMAIL]         sign in (the password is asked, or SUPORTRA_PASSWORD)
 *   suportra ask "<topic>" [--tool claude-code] [--attach FILE]... [--context-from-git]
 *   suportra sessions                      your sessions
 *   suportra transcript <id>               a session as Markdown
 *   suportra logout
 *
 * SUPORTRA_URL (default http://127.0.0.1:8787), SUPORTRA_APP (default app_demo) and SUPORTRA_CONFIG_DIR
 * (default ~/.config/suportra) configure it. Attachments and messages are checked for secrets first.
 */
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, join } from 'node:path'
import { createInterface, type Interface } from 'node:readline'
import { parseArgs } from 'node:util'
import { createClient, type SuportraClient } from '../client.js'
import type { SessionContext } from '../protocol/context.js'
import type { WebSocketFactory } from '../realtime/connection.js'
import { detectSecrets, redactSecrets } from '../secrets/secrets.js'
import type { SessionHandle } from '../sessions/session-handle.js'
import { fileStorage } from './file-storage.js'
import { contextFromGit } from './git-context.js'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: 'string' },
    tool: { type: 'string', default: 'claude-code' },
    attach: { type: 'string', multiple: true, default: [] },
    'context-from-git': { type: 'boolean', default: false },
    redact: { type: 'boolean', default: false },
    'send-anyway': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
})

const env = process.env
const configDir =
  env.SUPORTRA_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'suportra')
const out = (line: string) => process.stdout.write(`${line}\n`)

async function connect(): Promise<SuportraClient> {
  const WebSocket =
    (globalThis.WebSocket as unknown as WebSocketFactory | undefined) ??
    ((await import('ws')).default as unknown as WebSocketFactory)
  return createClient({
    baseUrl: env.SUPORTRA_URL ?? 'http://127.0.0.1:8787',
    appId: env.SUPORTRA_APP ?? 'app_demo',
    storage: fileStorage(join(configDir, 'storage.json')),
    WebSocket,
  })
}

let lines: Interface | undefined
const input = () => (lines ??= createInterface({ input: process.stdin, terminal: false }))
/** One line from stdin; '' once stdin has ended. */
const ask = (question: string) =>
  new Promise<string>((resolve) => {
    process.stdout.write(question)
    const rl = input()
    const answer = (line: string) => {
      rl.off('close', ended)
      resolve(line)
    }
    const ended = () => resolve('')
    rl.once('line', answer).once('close', ended)
  })

/**
 * Asks what to do with secrets found in `text` (or follows --redact / --send-anyway). Returns the text
 * to send, or undefined to send nothing.
 */
async function guard(text: string, what: string): Promise<string | undefined> {
  const found = detectSecrets(text)
  if (found.length === 0) return text
  const kinds = [...new Set(found.map((m) => m.rule))].join(', ')
  out(`! ${what} looks like it contains a secret (${kinds}); the builder would see it.`)
  if (values.redact) return redactSecrets(text)
  if (values['send-anyway']) return text
  const answer = (await ask('  [r]edact and send, [s]end anyway, [c]ancel? ')).trim().toLowerCase()
  if (answer.startsWith('r')) return redactSecrets(text)
  if (answer.startsWith('s')) return text
  out('  Not sent. (--redact or --send-anyway decide without asking.)')
  return undefined
}

async function login(client: SuportraClient) {
  const email = values.email ?? (await ask('Email: ')).trim()
  const password = env.SUPORTRA_PASSWORD ?? (await ask('Password: ')).trim()
  const user = await client.auth.signIn({ email, password })
  out(`Signed in as ${user.name} <${user.email}>.`)
}

function follow(session: SessionHandle, me: string) {
  const printed = new Set<string>()
  return new Promise<void>((resolve) => {
    const offMessages = session.$messages.subscribe((messages) => {
      for (const m of messages) {
        if (m.status !== 'sent' || printed.has(m.id)) continue
        printed.add(m.id)
        if (m.kind === 'event') {
          const builder = session.$session.get()?.builder?.name ?? 'A builder'
          if (m.body === 'claimed') out(`— ${builder} joined. Type your replies; they are sent line by line.`)
        } else if (m.authorId !== me) {
          out(
            `builder> ${m.body}${m.code ? `\n${m.code.content}` : ''}${m.attachments.map((a) => `\n[file ${a.name}]`).join('')}`,
          )
        }
      }
    })
    const offSession = session.$session.listen((current) => {
      if (current?.status === 'closed' || current?.status === 'cancelled') {
        out(`— Session ${current.status}.`)
        offMessages()
        offSession()
        resolve()
      }
    })
  })
}

async function askHuman(client: SuportraClient, topic: string | undefined) {
  if (!topic) throw new Error('Usage: suportra ask "<what you are stuck on>" [--tool T] [--attach FILE]...')
  const context: SessionContext = values['context-from-git'] ? contextFromGit() : {}
  const files: File[] = []
  for (const path of values.attach) {
    const text = await guard(await readFile(path, 'utf8'), basename(path))
    if (text === undefined) return out(`Stopped: ${path} was not sent.`)
    files.push(new File([text], basename(path), { type: 'text/plain' }))
  }
  const contextJson = await guard(JSON.stringify(context), 'The git context')
  if (contextJson === undefined) return out('Stopped: the context was not sent.')
  const session = await client.sessions.start({
    tool: values.tool,
    topic,
    context: JSON.parse(contextJson) as SessionContext,
  })
  const me = client.$user.get()?.id ?? ''
  out(`Session ${session.id} started; waiting for a builder… (Ctrl+C to leave, the session stays open)`)
  if (files.length > 0)
    await session.send({ text: `Attached: ${files.map((f) => f.name).join(', ')}`, files })
  input().on('line', async (line) => {
    const text = line.trim() && (await guard(line, 'That message'))
    if (text) session.send(text).catch((error: Error) => out(`! not sent: ${error.message}`))
  })
  await follow(session, me)
  out(`Transcript: suportra transcript ${session.id}`)
}

const HELP = `suportra — ask a human builder from the terminal

  suportra login [--email EMAIL]
  suportra ask "<topic>" [--tool claude-code] [--attach FILE]... [--context-from-git] [--redact | --send-anyway]
  suportra sessions
  suportra transcript <session id>
  suportra logout

Environment: SUPORTRA_URL, SUPORTRA_APP, SUPORTRA_CONFIG_DIR, SUPORTRA_PASSWORD (for scripts)`

async function main() {
  const [command, argument] = positionals
  if (values.help || !command) return out(HELP)
  const client = await connect()
  try {
    if (command === 'login') return await login(client)
    if (command === 'logout') {
      await client.auth.signOut()
      return out('Signed out.')
    }
    if (!client.$user.get()) throw new Error('Not signed in: run `suportra login` first.')
    if (command === 'ask') return await askHuman(client, argument)
    if (command === 'sessions') {
      for (const s of await client.sessions.list()) {
        out(
          `${s.id}  ${new Date(s.createdAt).toISOString().slice(0, 16)}  ${s.status.padEnd(9)}  ${s.tool.padEnd(12)}  ${s.topic}`,
        )
      }
      return
    }
    if (command === 'transcript') {
      if (!argument) throw new Error('Usage: suportra transcript <session id>')
      return out(await client.sessions.get(argument).exportMarkdown())
    }
    throw new Error(`Unknown command "${command}" (see suportra --help)`)
  } finally {
    client.destroy()
    lines?.close()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`suportra: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})

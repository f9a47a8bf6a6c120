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
import { basename, extname, join } from 'node:path'
import { createInterface, type Interface } from 'node:readline'
import { parseArgs } from 'node:util'
import type { SessionContext } from '@suportra/protocol'
import { createClient, type SuportraClient } from '../client.js'
import type { WebSocketFactory } from '../realtime/connection.js'
import { detectSecretsIn, redactSecretsIn } from '../secrets/secrets.js'
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

/**
 * Lines from stdin go to one place each: the open prompt if there is one (its answer is not also a
 * chat message), else the chat once a session has started.
 */
let lines: Interface | undefined
let ended = false
const prompts: ((line: string) => void)[] = []
let chat: ((line: string) => void) | undefined
const input = () => {
  if (!lines) {
    lines = createInterface({ input: process.stdin, terminal: false })
    lines.on('line', (line) => {
      const answer = prompts.shift()
      if (answer) answer(line)
      else chat?.(line)
    })
    lines.on('close', () => {
      ended = true
      for (const answer of prompts.splice(0)) answer('')
    })
  }
  return lines
}
/** One line from stdin; '' once stdin has ended. */
const ask = (question: string) =>
  new Promise<string>((resolve) => {
    process.stdout.write(question)
    if (ended) return resolve('')
    prompts.push(resolve)
    input()
  })

/**
 * A line typed without being shown, for the password: in a terminal, a reader of its own whose echo
 * is muted (readline writes what is typed through `_writeToOutput`); piped input is read as usual.
 */
async function askHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) return ask(question)
  const shared = lines
  lines = undefined
  shared?.removeAllListeners('close').close()
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
  process.stdout.write(question)
  ;(rl as unknown as { _writeToOutput(text: string): void })._writeToOutput = () => {}
  return new Promise<string>((resolve) => {
    rl.on('line', (line) => {
      resolve(line)
      rl.close()
    })
    rl.on('close', () => {
      process.stdout.write('\n')
      resolve('')
    })
    // Raw mode turns Ctrl+C into a key; it still stops the command.
    rl.on('SIGINT', () => {
      rl.close()
      process.kill(process.pid, 'SIGINT')
    })
  })
}

/**
 * Asks what to do with secrets found in `value` (a text, or the strings of a context) or follows
 * --redact / --send-anyway. Returns what to send, or undefined to send nothing.
 */
async function guard<T>(value: T, what: string): Promise<T | undefined> {
  const kinds = detectSecretsIn(value)
  if (kinds.length === 0) return value
  out(`! ${what} looks like it contains a secret (${kinds.join(', ')}); the builder would see it.`)
  if (values.redact) return redactSecretsIn(value)
  if (values['send-anyway']) return value
  const answer = (await ask('  [r]edact and send, [s]end anyway, [c]ancel? ')).trim().toLowerCase()
  if (answer.startsWith('r')) return redactSecretsIn(value)
  if (answer.startsWith('s')) return value
  out('  Not sent. (--redact or --send-anyway decide without asking.)')
  return undefined
}

async function login(client: SuportraClient) {
  const email = values.email ?? (await ask('Email: ')).trim()
  // Spaces are part of a password; the line ending is already gone.
  const password = env.SUPORTRA_PASSWORD ?? (await askHidden('Password: '))
  const user = await client.auth.signIn({ email, password })
  out(`Signed in as ${user.name} <${user.email}>.`)
}

function follow(session: SessionHandle, me: string) {
  const printed = new Set<string>()
  let joined = false
  /** Once, with the builder's name: the claim event may arrive before the session shows who. */
  const announce = () => {
    const builder = session.$session.get()?.builder?.name
    if (joined || !builder) return
    joined = true
    out(`— ${builder} joined. Type your replies; they are sent line by line.`)
  }
  return new Promise<void>((resolve) => {
    const offMessages = session.$messages.subscribe((messages) => {
      for (const m of messages) {
        if (m.status !== 'sent' || printed.has(m.id)) continue
        printed.add(m.id)
        if (m.kind === 'event') {
          if (m.body === 'claimed' && !joined) session.refresh().then(announce, announce)
        } else if (m.authorId !== me) {
          out(
            `builder> ${m.body}${m.code ? `\n${m.code.content}` : ''}${m.attachments.map((a) => `\n[file ${a.name}]`).join('')}`,
          )
        }
      }
    })
    const offSession = session.$session.listen((current) => {
      if (current?.builder) announce()
      if (current?.status === 'closed' || current?.status === 'cancelled') {
        out(`— Session ${current.status}.`)
        offMessages()
        offSession()
        resolve()
      }
    })
  })
}

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.json': 'application/json',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
}
/** UTF-8 without NUL bytes (BOM kept) is text; anything else, or a file of 2 MiB or more, is binary. */
function asText(bytes: Uint8Array): string | undefined {
  if (bytes.length >= 2 * 1024 * 1024 || bytes.includes(0)) return undefined
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * A file to attach, byte for byte: a text file is checked for secrets first (and rewritten only if
 * they are redacted); a binary file (an image, an archive) goes as it is. Undefined: not to be sent.
 */
async function attachment(path: string): Promise<File | undefined> {
  const bytes = await readFile(path)
  const name = basename(path)
  const text = asText(bytes)
  const type =
    TYPES[extname(name).toLowerCase()] ?? (text === undefined ? 'application/octet-stream' : 'text/plain')
  if (text === undefined) return new File([bytes], name, { type })
  const checked = await guard(text, name)
  if (checked === undefined) return undefined
  return new File([checked === text ? bytes : checked], name, { type })
}

async function askHuman(client: SuportraClient, topic: string | undefined) {
  if (!topic) throw new Error('Usage: suportra ask "<what you are stuck on>" [--tool T] [--attach FILE]...')
  const context: SessionContext = values['context-from-git'] ? contextFromGit() : {}
  const about = await guard(topic, 'The topic')
  if (about === undefined) return out('Stopped: the topic was not sent.')
  const files: File[] = []
  for (const path of values.attach) {
    const file = await attachment(path)
    if (file === undefined) return out(`Stopped: ${path} was not sent.`)
    files.push(file)
  }
  const shared = await guard(context, 'The git context')
  if (shared === undefined) return out('Stopped: the context was not sent.')
  const session = await client.sessions.start({ tool: values.tool, topic: about, context: shared })
  const me = client.$user.get()?.id ?? ''
  out(`Session ${session.id} started; waiting for a builder… (Ctrl+C to leave, the session stays open)`)
  // Followed from the start: a builder may join while the files upload.
  const followed = follow(session, me)
  if (files.length > 0)
    await session.send({ text: `Attached: ${files.map((f) => f.name).join(', ')}`, files })
  chat = async (line) => {
    const text = line.trim() && (await guard(line, 'That message'))
    if (text) session.send(text).catch((error: Error) => out(`! not sent: ${error.message}`))
  }
  input()
  await followed
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

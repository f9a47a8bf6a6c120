#!/usr/bin/env node
// Ask a human builder for help from a script (a CI job, a coding agent, a terminal).
// Starts a session with a topic and attached files, prints the builder's replies as they arrive,
// sends each line you type (`/end` ends the session), and exits when the session is closed.
import { readFile } from 'node:fs/promises'
import { basename, extname } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { createClient, memoryStorage } from '@suportra/client'
import WebSocket from 'ws'

const { values } = parseArgs({
  options: {
    topic: { type: 'string', default: 'I am stuck and need a human' },
    tool: { type: 'string', default: 'claude-code' },
    attach: { type: 'string', multiple: true, default: [] },
  },
})
const env = process.env
const TYPES = {
  '.json': 'application/json',
  '.md': 'text/markdown',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
}

// The files first: a wrong path should stop the script before a session (and its credit hold) exists.
const files = await Promise.all(
  values.attach.map(
    async (path) =>
      new File([await readFile(path)], basename(path), { type: TYPES[extname(path)] ?? 'text/plain' }),
  ),
)
const client = createClient({
  baseUrl: env.SUPORTRA_URL ?? 'http://127.0.0.1:8787',
  appId: env.SUPORTRA_APP ?? 'app_demo',
  storage: memoryStorage(),
  WebSocket,
})

await client.auth.signIn({
  email: env.SUPORTRA_EMAIL ?? 'ada@example.com',
  password: env.SUPORTRA_PASSWORD ?? 'demo-password',
})
const session = await client.sessions.start({ tool: values.tool, topic: values.topic }).catch((error) => {
  const { balance, cost } = error.details ?? {}
  console.error(
    error.code === 'insufficient_credits'
      ? `Not enough credits: ${balance} left, a session costs ${cost}.`
      : `Could not start a session: ${error.message}`,
  )
  process.exit(1)
})
console.log(
  `Session ${session.id} started; waiting for a builder… (type a message and press Enter; /end ends it)`,
)

if (files.length > 0) {
  await session.send({ text: `Attached: ${files.map((f) => f.name).join(', ')}`, files })
}

const printed = new Set()
const unwatch = session.$messages.subscribe((messages) => {
  for (const message of messages) {
    if (message.status !== 'sent' || printed.has(message.id)) continue
    printed.add(message.id)
    if (message.author === 'builder') {
      console.log(`builder> ${message.body}${message.code ? `\n${message.code.content}` : ''}`)
    } else if (message.kind === 'event' && message.body === 'claimed') {
      console.log(`${session.$session.get()?.builder?.name ?? 'A builder'} joined.`)
    }
  }
})

const input = createInterface({ input: process.stdin })
input.on('line', (line) => {
  if (line.trim() === '/end') {
    // Waiting: cancel (the credit hold is released). Talking to a builder: close.
    const end = session.$session.get()?.status === 'waiting' ? session.cancel() : session.close()
    end.catch((error) => console.error(`not ended: ${error.message}`))
  } else if (line.trim()) session.send(line).catch((error) => console.error(`not sent: ${error.message}`))
})

const unwatchSession = session.$session.listen((current) => {
  if (current?.status !== 'closed' && current?.status !== 'cancelled') return
  console.log(`Session ${current.status}.`)
  unwatch()
  unwatchSession()
  input.close()
  client.destroy()
})

// Client heap holding a long transcript, in Node (run with --expose-gc; memory.mjs starts it).
// A fresh process: the heap before the client exists, then a signed-in client whose SessionHandle
// has loaded every message (the newest page, then `loadOlder()` to the start) while watched, as a
// UI would watch it; each figure after two full GCs.
// Usage: node --expose-gc bench/memory-client.mjs <baseUrl> <email> <sessionId>   (prints JSON)
import { createClient, memoryStorage } from '@suportra/client'
import WebSocket from 'ws'

const [baseUrl, email, sessionId] = process.argv.slice(2)
if (!globalThis.gc) throw new Error('run with --expose-gc')

const settle = () => new Promise((resolve) => setTimeout(resolve, 200))
async function heap() {
  await settle()
  globalThis.gc()
  globalThis.gc()
  return process.memoryUsage().heapUsed
}

const before = await heap()
const client = createClient({ baseUrl, appId: 'app_demo', storage: memoryStorage(), WebSocket })
await client.auth.signIn({ email, password: 'demo-password' })
const handle = client.sessions.get(sessionId)
const stop = handle.$messages.listen(() => {})
await handle.load()
const empty = await heap()
while (await handle.loadOlder()) {}
const messages = handle.$messages.get()
const full = await heap()
console.log(
  JSON.stringify({
    messages: messages.length,
    // What the same messages weigh as JSON (as they came over the wire).
    jsonBytes: Buffer.byteLength(JSON.stringify(messages)),
    clientWithNewestPage: empty - before,
    clientWithAll: full - before,
    perMessage: (full - empty) / (messages.length - Math.min(50, messages.length)),
  }),
)
stop()
client.destroy()
process.exit(0)

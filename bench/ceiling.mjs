// The ceiling for the fan-out benchmark: the least a server can do for the same traffic, on the
// same machine. node:http takes `POST /v1/sessions/:id/messages` (the same request the load
// generator sends to Suportra), numbers it, and writes the same `message` event to the sender's
// sockets (the echo) and to every builder socket (the broadcast) with plain `ws`. No auth check, no
// validation, no database. Sockets "authenticate" with their first frame: the token is the user key,
// and `builder` marks a builder socket. Same command protocol as serve.mjs (memory, sockets).
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'

const byUser = new Map()
const builders = new Set()
const seqs = new Map()
let sockets = 0

function deliver(sockets, data) {
  for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(data)
}

const server = createServer((req, res) => {
  const match = /^\/v1\/sessions\/([^/]+)\/messages$/.exec(req.url ?? '')
  if (req.method !== 'POST' || !match) return res.writeHead(404).end()
  const user = (req.headers.authorization ?? '').slice('Bearer '.length)
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    const input = JSON.parse(Buffer.concat(chunks).toString())
    const sessionId = match[1]
    const seq = (seqs.get(sessionId) ?? 0) + 1
    seqs.set(sessionId, seq)
    const message = {
      id: `msg_${sessionId}_${seq}`,
      clientId: input.id,
      sessionId,
      seq,
      author: 'user',
      authorId: user,
      kind: 'text',
      body: input.text ?? '',
      code: null,
      attachments: [],
      createdAt: Date.now(),
    }
    const data = JSON.stringify({ type: 'message', message })
    deliver(byUser.get(user) ?? [], data)
    deliver(builders, data)
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ message }))
  })
})

const wss = new WebSocketServer({ server, path: '/v1/realtime', perMessageDeflate: false })
wss.on('connection', (ws) => {
  ws.once('message', (data) => {
    const { token } = JSON.parse(String(data))
    const set = token === 'builder' ? builders : (byUser.get(token) ?? new Set())
    set.add(ws)
    if (token !== 'builder') byUser.set(token, set)
    sockets++
    ws.once('close', () => {
      set.delete(ws)
      sockets--
    })
    ws.send(JSON.stringify({ type: 'ready' }))
  })
})

const commands = {
  memory() {
    globalThis.gc?.()
    globalThis.gc?.()
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage()
    return { rss, heapUsed, heapTotal, external, gc: Boolean(globalThis.gc) }
  },
  sockets: () => ({ sockets }),
}

server.listen(0, '127.0.0.1', () => {
  process.on('message', async ({ id, cmd, args }) => {
    try {
      process.send({ id, result: await commands[cmd](args ?? {}) })
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) })
    }
  })
  process.send({ ready: true, url: `http://127.0.0.1:${server.address().port}` })
})
process.on('SIGINT', () => process.exit(0))
process.on('disconnect', () => process.exit(0))

// Server benchmark: HTTP request rate (autocannon) and realtime fan-out: the latency from a user's
// send to the builder's receipt over the builder's WebSocket, with N concurrent active sessions
// (2N sockets open), and messages per second sustained.
// Usage: node bench/server.mjs [sessions ...]   (default: 100 1000)
import { fork } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import WebSocket from 'ws'

const SIZES = process.argv.slice(2).map(Number).filter(Boolean)
const PER_SESSION = 10
const child = fork(new URL('./serve.mjs', import.meta.url), {
  stdio: 'inherit',
  execArgv: process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [],
})
const next = () => new Promise((resolve) => child.once('message', resolve))
const { url } = await next()
const HEADERS = { 'x-suportra-app': 'app_demo', 'content-type': 'application/json' }

async function call(method, path, { token, body } = {}) {
  const response = await fetch(url + path, {
    method,
    headers: { ...HEADERS, ...(token && { authorization: `Bearer ${token}` }) },
    ...(body && { body: JSON.stringify(body) }),
  })
  const json = await response.json()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
  return json
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
const inBatches = async (items, size, fn) => {
  const out = []
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))))
  return out
}

function socket(token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/realtime`)
    ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token })))
    ws.once('error', reject)
    ws.on('message', function ready(data) {
      if (JSON.parse(String(data)).type === 'ready') {
        ws.off('message', ready)
        resolve(ws)
      }
    })
  })
}

async function requestRate() {
  const { accessToken } = await call('POST', '/v1/auth/sign-in', {
    body: { email: 'ada@example.com', password: 'demo-password' },
  })
  const run = (path, headers = {}) =>
    new Promise((resolve, reject) =>
      autocannon({ url: url + path, connections: 50, duration: 10, headers }, (error, result) =>
        error ? reject(error) : resolve(result),
      ),
    )
  const health = await run('/health')
  const balance = await run('/v1/credits', { authorization: `Bearer ${accessToken}` })
  return {
    'GET /health req/s': Math.round(health.requests.average),
    'GET /v1/credits req/s (auth + ledger sum)': Math.round(balance.requests.average),
    'GET /v1/credits p99 ms': balance.latency.p99,
  }
}

async function fanOut(sessions) {
  const builder = await call('POST', '/v1/auth/sign-in', {
    body: { email: 'grace@example.com', password: 'demo-password' },
  })
  const run = Date.now()
  const users = await inBatches(
    Array.from({ length: sessions }, (_, i) => i),
    50,
    (i) =>
      call('POST', '/v1/auth/sign-up', {
        body: { name: `User ${i}`, email: `bench-${run}-${i}@example.com`, password: 'demo-password' },
      }),
  )
  child.send({ grant: users.map((u) => u.user.id) })
  await next()
  const ids = await inBatches(
    users,
    50,
    async (u) =>
      (await call('POST', '/v1/sessions', { token: u.accessToken, body: { tool: 'cursor', topic: 'bench' } }))
        .session.id,
  )
  await inBatches(ids, 50, (id) =>
    call('POST', `/v1/builder/sessions/${id}/claim`, { token: builder.accessToken }),
  )
  const userSockets = await inBatches(users, 100, (u) => socket(u.accessToken))
  const builderSocket = await socket(builder.accessToken)

  const sentAt = new Map()
  const latencies = []
  const total = sessions * PER_SESSION
  const done = new Promise((resolve) => {
    builderSocket.on('message', (data) => {
      const event = JSON.parse(String(data))
      if (event.type !== 'message' || !sentAt.has(event.message.clientId)) return
      latencies.push(performance.now() - sentAt.get(event.message.clientId))
      if (latencies.length === total) resolve()
    })
  })
  const started = performance.now()
  await Promise.all(
    users.map(async (user, s) => {
      for (let m = 0; m < PER_SESSION; m++) {
        const clientId = `bench-${s}-${m}-${run}`
        sentAt.set(clientId, performance.now())
        await call('POST', `/v1/sessions/${ids[s]}/messages`, {
          token: user.accessToken,
          body: { id: clientId, text: `message ${m}` },
        })
      }
    }),
  )
  await done
  const seconds = (performance.now() - started) / 1000
  for (const ws of [...userSockets, builderSocket]) ws.close()
  latencies.sort((a, b) => a - b)
  return {
    sessions,
    sockets: sessions * 2 + 1,
    messages: total,
    'send→receipt p50 ms': Number(percentile(latencies, 50).toFixed(1)),
    'send→receipt p99 ms': Number(percentile(latencies, 99).toFixed(1)),
    'messages/s': Math.round(total / seconds),
  }
}

const results = { requests: await requestRate(), fanOut: [] }
for (const size of SIZES.length ? SIZES : [100, 1000]) results.fanOut.push(await fanOut(size))
console.log(JSON.stringify(results, null, 2))
child.kill('SIGINT')

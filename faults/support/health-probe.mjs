// Times GET /health in its own small process, so what it measures is the server's answer and not
// the test process's own work (it runs the conversations' clients). Started with an IPC channel;
// `stop` makes it send back every latency (ms, in order) and the count of failed probes.
import { Agent, request } from 'node:http'

const url = new URL('/health', process.env.PROBE_URL)
const every = Number(process.env.PROBE_EVERY_MS ?? 25)
const agent = new Agent({ keepAlive: true, maxSockets: 1 })
const latencies = []
let failures = 0
let running = true

function probe() {
  return new Promise((resolve) => {
    const started = performance.now()
    const req = request(url, { agent, timeout: 10_000 }, (res) => {
      res.resume()
      res.on('end', () => {
        latencies.push(performance.now() - started)
        if (res.statusCode !== 200) failures++
        resolve()
      })
    })
    req.on('error', () => {
      failures++
      resolve()
    })
    req.end()
  })
}

process.on('message', (message) => {
  if (message === 'stop') running = false
})
process.send?.('started')
while (running) {
  await probe()
  await new Promise((resolve) => setTimeout(resolve, every))
}
process.send?.({ latencies, failures }, () => process.exit(0))

// The reference server as a separate process for the crash scenario: the built `@suportra/server`
// started with options the CLI has no flags for (higher rate limits), so the test can SIGKILL it.
// SUPORTRA_FAULTS_SERVER holds the JSON options; the line "Suportra server on <url>" means ready.
import { startServer } from '@suportra/server'

const options = JSON.parse(process.env.SUPORTRA_FAULTS_SERVER ?? '{}')
const server = await startServer({ seed: 'demo', devPages: true, ...options })
console.log(`Suportra server on ${server.url}`)
const stop = async () => {
  await server.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

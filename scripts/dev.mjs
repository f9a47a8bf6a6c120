#!/usr/bin/env node
// `pnpm dev`: the reference server with the demo seed, plus the example host pages, each on its own
// origin like a real vendor site. Ctrl+C stops everything.
import { fileURLToPath } from 'node:url'
import { DEMO, startServer } from '@suportra/server'
import { startHostServer } from '../examples/host-server.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
/** Each port from the environment (a free one by default); `0` picks any free port. */
const port = (name, fallback) => {
  const value = process.env[name] ?? String(fallback)
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    console.error(`${name}=${value} is not a port number (0–65535).`)
    process.exit(2)
  }
  return Number(value)
}
/** Starts one server; a busy port ends `pnpm dev` with one line that names it and how to change it. */
async function start(what, name, number, run) {
  try {
    return await run(number)
  } catch (error) {
    if (error?.code !== 'EADDRINUSE' && error?.cause?.code !== 'EADDRINUSE') throw error
    console.error(`${what}: port ${number} is in use; set ${name} to another port (e.g. ${name}=0 pnpm dev).`)
    process.exit(1)
  }
}

const api = await start('API server', 'PORT', port('PORT', 8787), (p) =>
  startServer({ port: p, db: `${root}.data/demo.db`, seed: 'demo', devPages: true }),
)
const host = (what, name, fallback, dir) =>
  start(what, name, port(name, fallback), (p) =>
    startHostServer({ root: `${root}${dir}`, apiUrl: api.url, port: p }),
  )
const scriptTag = await host('Script-tag page', 'SCRIPT_TAG_PORT', 5173, 'examples/script-tag')
const reactApp = await host('React app', 'REACT_APP_PORT', 5174, 'examples/react-app/dist')
const console_ = await host('Builder console', 'BUILDER_CONSOLE_PORT', 5175, 'examples/builder-console/dist')

console.log(`
Suportra demo

  API server        ${api.url}
  Script-tag page   ${scriptTag.url}   (a vendor page with the widget; "Ask a human" opens it)
  React app         ${reactApp.url}   (a vendor's own chat UI built from @suportra/react hooks)
  Builder console   ${console_.url}   (sign in as the builder, claim sessions, reply)
  Emails sent       ${api.url}/dev/mail   (no Resend key: emails stay in a local outbox)

  User              ${DEMO.user.email} / ${DEMO.user.password}  (${DEMO.user.credits} credits)
  Builder           ${DEMO.builder.email} / ${DEMO.builder.password}
  App               ${DEMO.appId}  (identity secret: ${DEMO.identitySecret})
  Server key        ${DEMO.serverKey}  (your backend's key for /v1/server/…: docs/guides/vendor-backend.md)
`)

const stop = async () => {
  await Promise.all([scriptTag.close(), reactApp.close(), console_.close(), api.close()])
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

#!/usr/bin/env node
// `pnpm dev`: the reference server with the demo seed, plus the example host pages, each on its own
// origin like a real vendor site. Ctrl+C stops everything.
import { fileURLToPath } from 'node:url'
import { DEMO, startServer } from '@suportra/server'
import { startHostServer } from '../examples/host-server.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const api = await startServer({
  port: Number(process.env.PORT ?? 8787),
  db: `${root}.data/demo.db`,
  seed: 'demo',
  devPages: true,
})
const scriptTag = await startHostServer({ root: `${root}examples/script-tag`, apiUrl: api.url, port: 5173 })
const reactApp = await startHostServer({
  root: `${root}examples/react-app/dist`,
  apiUrl: api.url,
  port: 5174,
})
const console_ = await startHostServer({
  root: `${root}examples/builder-console/dist`,
  apiUrl: api.url,
  port: 5175,
})

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

#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { readConfig } from './config/config.js'
import { createSuportraMcpServer } from './server.js'

// stdout carries MCP frames only: everything else goes to stderr.
console.log = console.info = console.debug = console.error

async function main() {
  const config = readConfig()
  const { server, state } = createSuportraMcpServer(config)
  const transport = new StdioServerTransport()
  const stop = () => {
    state.close()
    server.close().finally(() => process.exit(0))
  }
  transport.onclose = stop
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  process.stdin.on('end', stop)
  await server.connect(transport)
  console.error(
    `suportra-mcp: ready (${config.baseUrl}, app ${config.appId}, at most ${config.maxCredits} credit${config.maxCredits === 1 ? '' : 's'})`,
  )
}

main().catch((error: unknown) => {
  console.error(`suportra-mcp: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})

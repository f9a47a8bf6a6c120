/**
 * `@suportra/mcp`: an MCP server that lets an AI coding agent ask a human Suportra builder, wait for
 * replies and patches, and end the session, within a credit limit and with secrets redacted. The
 * `suportra-mcp` bin serves it over stdio.
 */
export { type McpConfig, readConfig } from './config/config.js'
export { createSuportraMcpServer, VERSION } from './server.js'
export { createState, type McpState } from './sessions/state.js'

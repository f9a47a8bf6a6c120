import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { McpConfig } from './config/config.js'
import type { McpState } from './sessions/state.js'
import { createState } from './sessions/state.js'
import { registerTranscript } from './sessions/transcript.js'
import { registerAskHuman } from './tools/ask-human.js'
import { registerSessionTools } from './tools/session-tools.js'
import { registerWaitForReply } from './tools/wait-for-reply.js'

/** The package's version, as MCP clients see it. */
export const VERSION = '0.0.0'

/**
 * The Suportra MCP server: tools `ask_human`, `wait_for_reply`, `send_message`, `end_session`,
 * `list_sessions` and the resource `suportra://sessions/{id}/transcript`. Connect it to a transport
 * (`suportra-mcp` uses stdio). Pass `state` to share a signed-in client (tests).
 */
export function createSuportraMcpServer(config: McpConfig, state: McpState = createState(config)) {
  const server = new McpServer(
    { name: 'suportra', title: 'Suportra: ask a human expert', version: VERSION },
    {
      instructions:
        'Use ask_human when you are stuck and a human expert would unblock you (it costs credits, within a limit). Then wait_for_reply until the builder answers; apply patches they send (unified diffs) with `git apply` after reviewing them; end_session when done.',
    },
  )
  registerAskHuman(server, state)
  registerWaitForReply(server, state)
  registerSessionTools(server, state)
  registerTranscript(server, state)
  return { server, state }
}

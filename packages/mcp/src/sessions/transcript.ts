import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import { statusLine, toMarkdown, toReply } from './describe.js'
import type { McpState } from './state.js'

/** `suportra://sessions/{id}/transcript`: a whole session as Markdown (its patches as diff blocks). */
export function registerTranscript(server: McpServer, state: McpState): void {
  server.registerResource(
    'transcript',
    new ResourceTemplate('suportra://sessions/{id}/transcript', { list: undefined }),
    {
      title: 'Session transcript',
      description: 'A Suportra session as Markdown: the topic, status, every message, code and patch.',
      mimeType: 'text/markdown',
    },
    async (uri, { id }) => {
      const handle = (await state.client()).sessions.get(String(id))
      const session = await handle.refresh()
      await handle.load()
      while (await handle.loadOlder());
      const lines = handle.$messages
        .get()
        .filter((m) => m.seq !== null && m.body !== 'started')
        .map((m) => toMarkdown(toReply(m, session)))
      const text = `# ${session.topic}\n\nSession ${session.id} · ${session.tool} · ${statusLine(session)}\n\n${lines.join('\n\n')}\n`
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text }] }
    },
  )
}

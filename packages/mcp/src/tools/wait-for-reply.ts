import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { SessionHandle } from '@suportra/client'
import * as z from 'zod'
import { statusLine, toMarkdown, toReply } from '../sessions/describe.js'
import type { McpState } from '../sessions/state.js'
import { answer, guarded } from './result.js'

export const sessionIdSchema = z
  .string()
  .min(1)
  .max(64)
  .describe('The sessionId that ask_human returned (list_sessions lists them).')

/** Resolves when `handle`'s messages or session change, or after `ms`; false on timeout. */
function changeOrTimeout(handle: SessionHandle, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (changed: boolean) => {
      clearTimeout(timer)
      offMessages()
      offSession()
      signal.removeEventListener('abort', abort)
      resolve(changed)
    }
    const abort = () => done(false)
    const timer = setTimeout(() => done(false), ms)
    const offMessages = handle.$messages.listen(() => done(true))
    const offSession = handle.$session.listen(() => done(true))
    signal.addEventListener('abort', abort)
  })
}

/** `wait_for_reply`: the builder's next messages (text, code, patches), or the session's status. */
export function registerWaitForReply(server: McpServer, state: McpState): void {
  server.registerTool(
    'wait_for_reply',
    {
      title: 'Wait for the human expert',
      description:
        'Waits (up to timeoutSeconds, default 60, at most 600) for the builder\'s next messages in a session and returns them: text, code blocks and patches (unified diffs to apply with `git apply`, also in structuredContent.messages[].patch). Returns at once with anything not yet returned. If nothing arrives in time, says the session\'s status (e.g. "waiting, #2 in the queue"): call it again to keep waiting.',
      inputSchema: {
        sessionId: sessionIdSchema,
        timeoutSeconds: z
          .number()
          .int()
          .min(0)
          .max(600)
          .optional()
          .describe('How long to wait for a reply, in seconds (default 60, at most 600).'),
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    ({ sessionId, timeoutSeconds = 60 }, extra) =>
      guarded(async () => {
        const client = await state.client()
        const handle = client.sessions.get(sessionId)
        // Listening keeps the transcript and the session live (realtime) while this call waits.
        const stop = [handle.$messages.listen(() => {}), handle.$session.listen(() => {})]
        try {
          await handle.refresh()
          await handle.load()
          const deadline = Date.now() + timeoutSeconds * 1000
          const seen = state.delivered.get(sessionId) ?? 0
          const fresh = () =>
            handle.$messages
              .get()
              .filter((m) => m.seq !== null && m.seq > seen && m.author !== 'user' && m.body !== 'started')
          const over = () => /^(closed|cancelled)$/.test(handle.$session.get()?.status ?? '')
          while (!fresh()[0] && !over() && Date.now() < deadline && !extra.signal.aborted) {
            await changeOrTimeout(handle, deadline - Date.now(), extra.signal)
          }
          const session = handle.$session.get() ?? (await handle.refresh())
          const replies = fresh().map((m) => toReply(m, session))
          const last = replies.at(-1)
          if (last) state.delivered.set(sessionId, Math.max(seen, ...replies.map((r) => r.seq)))
          const structured = {
            sessionId,
            status: session.status,
            position: session.queue?.position ?? null,
            expectedWait: session.queue?.expectedWaitSeconds ?? null,
            builder: session.builder?.name ?? null,
            messages: replies,
          }
          if (!last) {
            const next = over() ? 'It has ended.' : 'Call wait_for_reply again to keep waiting.'
            return answer(`No new message. Session ${sessionId}: ${statusLine(session)}. ${next}`, structured)
          }
          const patches = replies.filter((r) => r.patch).length
          const hint =
            patches > 0
              ? `\n\n${patches} patch${patches === 1 ? '' : 'es'} above: review, apply with \`git apply\`, and tell the builder how it went (send_message).`
              : ''
          return answer(
            `Session ${sessionId} (${statusLine(session)}):\n\n${replies.map(toMarkdown).join('\n\n')}${hint}`,
            structured,
          )
        } finally {
          for (const off of stop) off()
        }
      }),
  )
}

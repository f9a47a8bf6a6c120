import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { redactSecrets } from '@suportra/client/secrets'
import { LIMITS } from '@suportra/protocol'
import * as z from 'zod'
import { statusLine } from '../sessions/describe.js'
import type { McpState } from '../sessions/state.js'
import { answer, guarded } from './result.js'
import { sessionIdSchema } from './wait-for-reply.js'

/** `send_message`, `end_session` and `list_sessions`. */
export function registerSessionTools(server: McpServer, state: McpState): void {
  server.registerTool(
    'send_message',
    {
      title: 'Message the human expert',
      description:
        'Sends a message to the builder of a session: an answer to their question, more details, the result of applying their patch. Optionally with a code block. Secrets are redacted before sending. Then call wait_for_reply.',
      inputSchema: {
        sessionId: sessionIdSchema,
        text: z.string().min(1).max(LIMITS.textLength).describe('The message (Markdown).'),
        code: z
          .object({
            language: z
              .string()
              .max(LIMITS.languageLength)
              .regex(/^[\w+#.-]*$/)
              .describe('e.g. ts, python, sh, diff'),
            content: z.string().min(1).max(LIMITS.codeLength),
          })
          .optional()
          .describe('A code block (a file, a stack trace, terminal output) shown as code.'),
      },
      annotations: { openWorldHint: true, destructiveHint: false },
    },
    ({ sessionId, text, code }) =>
      guarded(async () => {
        const handle = (await state.client()).sessions.get(sessionId)
        const safeText = redactSecrets(text)
        const safeCode = code && { language: code.language, content: redactSecrets(code.content) }
        const redacted = safeText !== text || safeCode?.content !== code?.content
        const message = await handle.send({ text: safeText, ...(safeCode && { code: safeCode }) })
        return answer(
          `Sent (message #${message.seq})${redacted ? ', with secrets redacted' : ''}. Call wait_for_reply for the answer.`,
          { sessionId, seq: message.seq, redacted },
        )
      }),
  )

  server.registerTool(
    'end_session',
    {
      title: 'End the session',
      description:
        'Ends a session: before a builder joined it is cancelled and the credit held is released; otherwise it is closed. Optionally rates the builder (score 1–5, comment). Call it when the problem is solved or you no longer need help.',
      inputSchema: {
        sessionId: sessionIdSchema,
        score: z
          .number()
          .int()
          .min(1)
          .max(5)
          .optional()
          .describe("The builder's help, 1 (poor) to 5 (excellent)."),
        comment: z
          .string()
          .max(LIMITS.ratingCommentLength)
          .optional()
          .describe('A word on the help (optional).'),
      },
      annotations: { openWorldHint: true, destructiveHint: true, idempotentHint: true },
    },
    ({ sessionId, score, comment }) =>
      guarded(async () => {
        const handle = (await state.client()).sessions.get(sessionId)
        let session = await handle.refresh()
        let what: string
        if (session.status === 'waiting') {
          session = await handle.cancel()
          state.spent = Math.max(0, state.spent - session.cost)
          what = 'Cancelled before a builder joined; the credit held was released.'
        } else if (session.status === 'active') {
          session = await handle.close()
          what = 'Closed.'
        } else what = `Already ${session.status}.`
        if (score !== undefined) {
          if (session.status === 'closed') {
            session = await handle.rate({ score, ...(comment && { comment: redactSecrets(comment) }) })
            what += ` Rated ${score}/5.`
          } else what += ' Not rated: nobody helped in this session.'
        }
        state.delivered.delete(sessionId)
        return answer(what, { sessionId, status: session.status, rating: session.rating })
      }),
  )

  server.registerTool(
    'list_sessions',
    {
      title: 'List sessions',
      description: "Lists the signed-in account's sessions, newest first: id, status, topic, builder.",
      inputSchema: {},
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    () =>
      guarded(async () => {
        const sessions = await (await state.client()).sessions.list()
        const rows = sessions.map((s) => ({
          sessionId: s.id,
          status: s.status,
          topic: s.topic,
          tool: s.tool,
          builder: s.builder?.name ?? null,
          createdAt: new Date(s.createdAt).toISOString(),
        }))
        const text =
          sessions.length === 0
            ? 'No sessions yet.'
            : sessions.map((s) => `- ${s.id}: ${statusLine(s)} · ${s.topic}`).join('\n')
        return answer(text, { sessions: rows })
      }),
  )
}

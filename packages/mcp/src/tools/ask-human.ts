import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { detectSecretsIn, redactSecrets, redactSecretsIn } from '@suportra/client/secrets'
import { LIMITS, SessionContextInput } from '@suportra/protocol'
import * as z from 'zod'
import { statusLine } from '../sessions/describe.js'
import type { McpState } from '../sessions/state.js'
import { answer, failure, guarded } from './result.js'

/** `ask_human`: starts a session with a human builder, within the process's credit limit. */
export function registerAskHuman(server: McpServer, state: McpState): void {
  server.registerTool(
    'ask_human',
    {
      title: 'Ask a human expert',
      description:
        'Ask a human expert (a Suportra builder) for help when you are stuck: a failing build, an error you cannot resolve, a decision you need a person for. Starts a paid session (it costs credits, within the limit this server was given) and returns its sessionId, status and queue position. Then call wait_for_reply with the sessionId to get the answer (it may contain a patch to apply), send_message to add details, and end_session when done. Secrets in what you send are redacted first.',
      inputSchema: {
        topic: z
          .string()
          .trim()
          .min(1)
          .max(LIMITS.topicLength)
          .describe(
            'The blocker in one or two sentences, e.g. "vite build fails with ERR_REQUIRE_ESM after upgrading to Vite 6".',
          ),
        tool: z
          .string()
          .min(1)
          .max(40)
          .optional()
          .describe(
            'The AI coding tool you are, as a Suportra tool id: cursor, claude-code, copilot, windsurf, other… (default: the server configuration\'s, else "other").',
          ),
        context: z
          .optional(SessionContextInput)
          .describe(
            'What the builder needs to help: error { message, stack }, file { path, language, content }, diff (unified), terminal output, selection, project { name, repositoryUrl }, and conversation (the turns so far, { role, content }). All parts optional and size-limited.',
          ),
      },
      annotations: { openWorldHint: true, destructiveHint: false, idempotentHint: false },
    },
    ({ topic, tool, context }) =>
      guarded(async () => {
        const client = await state.client()
        const cost = (await client.credits.packs()).costs.conversation
        const max = state.config.maxCredits
        if (state.spent + cost > max) {
          return failure(
            `Spending limit reached: this server may spend at most ${max} credit${max === 1 ? '' : 's'} (SUPORTRA_MAX_CREDITS), ${state.spent} ${state.spent === 1 ? 'is' : 'are'} committed and a session costs ${cost}. No session was started and no credit was held. Continue an open session (wait_for_reply, send_message), or ask the user to raise SUPORTRA_MAX_CREDITS in the MCP server configuration.`,
          )
        }
        // Counted before the request, so two concurrent calls cannot both pass the limit.
        state.spent += cost
        const found = [...new Set(detectSecretsIn({ topic, context }))]
        let handle: Awaited<ReturnType<typeof client.sessions.start>>
        try {
          handle = await client.sessions.start({
            tool: tool ?? state.config.tool,
            topic: redactSecrets(topic),
            ...(context && { context: redactSecretsIn(context) }),
          })
        } catch (error) {
          state.spent -= cost
          throw error
        }
        const session = handle.$session.get() ?? (await handle.refresh())
        const redacted = found.length > 0 ? ` Redacted before sending: ${found.join(', ')}.` : ''
        return answer(
          `Session ${session.id} started: ${statusLine(session)}. Cost: ${session.cost} credit${session.cost === 1 ? '' : 's'}, held now, charged when a builder joins, released if you end it before.${redacted} Call wait_for_reply with sessionId "${session.id}" to get the builder's answer.`,
          {
            sessionId: session.id,
            status: session.status,
            position: session.queue?.position ?? null,
            expectedWait: session.queue?.expectedWaitSeconds ?? null,
            cost: session.cost,
            redacted: found,
          },
        )
      }),
  )
}

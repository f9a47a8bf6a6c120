import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { SuportraError } from '@suportra/client'

/** A tool's answer: text for the model, and the same facts as structured content. */
export function answer(text: string, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], ...(structured && { structuredContent: structured }) }
}

/** A tool error the agent can read and act on (never a crash of the server). */
export function failure(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true }
}

/** Runs a tool; anything thrown becomes a tool error saying what failed. */
export async function guarded(run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run()
  } catch (error) {
    return failure(describe(error))
  }
}

function describe(error: unknown): string {
  if (SuportraError.isInstance(error)) {
    const hint =
      error.code === 'network'
        ? ' (is SUPORTRA_URL right, and the server reachable?)'
        : error.code === 'unauthorized'
          ? ' (sign in again: `suportra login`, or check SUPORTRA_EMAIL / SUPORTRA_PASSWORD)'
          : ''
    return `Suportra ${error.code}: ${error.message}${hint}`
  }
  return error instanceof Error ? error.message : String(error)
}

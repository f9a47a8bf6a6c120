import type { SuportraClient } from '@suportra/client'
import type { McpConfig } from '../config/config.js'
import { signedInClient } from '../config/sign-in.js'

/** What the tools share in one `suportra-mcp` process. */
export interface McpState {
  config: McpConfig
  /** The signed-in client (signed in on first use; a failed sign-in is tried again next time). */
  client(): Promise<SuportraClient>
  /** Credits this process has committed (held or charged) so far. */
  spent: number
  /** Per session: the highest message `seq` already handed to the agent by `wait_for_reply`. */
  delivered: Map<string, number>
  close(): void
}

export function createState(
  config: McpConfig,
  connect: (config: McpConfig) => Promise<SuportraClient> = signedInClient,
): McpState {
  let pending: Promise<SuportraClient> | undefined
  return {
    config,
    client() {
      pending ??= connect(config)
      pending.catch(() => {
        pending = undefined
      })
      return pending
    },
    spent: 0,
    delivered: new Map(),
    close() {
      pending?.then((client) => client.destroy()).catch(() => {})
    },
  }
}

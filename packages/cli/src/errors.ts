import { SuportraError } from '@suportra/client'

/** Exit codes: 0 done, 1 failed, 2 used wrongly (a flag, an argument), 130 interrupted (Ctrl+C). */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const

/** A failure the command explains in one line; `exitCode` is 1 unless the command was used wrongly (2). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** The innermost reason of a network failure (`ECONNREFUSED`, `ENOTFOUND`) rather than "fetch failed". */
function reason(cause: unknown): string {
  let at = cause as { code?: unknown; message?: unknown; cause?: unknown } | undefined
  while (at?.cause) at = at.cause as typeof at
  const text = typeof at?.code === 'string' ? at.code : typeof at?.message === 'string' ? at.message : ''
  return text ? ` (${text})` : ''
}

/** One line that names what failed: the server's URL on a network error, the sign-in when it is gone. */
export function explain(error: unknown, url: string): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode }
  if (SuportraError.isInstance(error)) {
    if (error.code === 'network') {
      const cause = reason(error.cause)
      return { message: `cannot reach the Suportra server at ${url}${cause}`, exitCode: EXIT.failure }
    }
    if (error.code === 'unauthorized') {
      return {
        message: 'not signed in (or the sign-in expired): run `suportra login`',
        exitCode: EXIT.failure,
      }
    }
    const next = error.code === 'insufficient_credits' ? '; buy more: suportra credits' : ''
    return { message: `${error.message} (${error.code} from ${url})${next}`, exitCode: EXIT.failure }
  }
  return { message: error instanceof Error ? error.message : String(error), exitCode: EXIT.failure }
}

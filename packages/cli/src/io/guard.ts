import { isCancel, select } from '@clack/prompts'
import { detectSecretsIn, redactSecretsIn } from '@suportra/client/secrets'
import pc from 'picocolors'
import { aside, interactive, warn } from './terminal.js'

/**
 * What to do with a secret found in something about to be sent: `ask` (in a terminal; without one,
 * redact), `redact`, or `send-anyway` (only ever from the flag of that name).
 */
export type SecretPolicy = 'ask' | 'redact' | 'send-anyway'

/**
 * `value` (a text, or the strings of a context) as it may be sent, or undefined to send nothing.
 * Without a terminal nobody is asked and nothing read from stdin is taken as an answer: the secret
 * goes redacted unless `--send-anyway` was given.
 */
export async function guard<T>(value: T, what: string, policy: SecretPolicy): Promise<T | undefined> {
  const kinds = detectSecretsIn(value)
  if (kinds.length === 0) return value
  const found = `${what} contains what looks like a secret (${kinds.join(', ')})`
  if (policy === 'send-anyway') {
    warn(pc.yellow(`! ${found}: sent as it is (--send-anyway).`))
    return value
  }
  if (policy === 'redact' || !interactive()) {
    warn(
      pc.yellow(
        `! ${found}: sent redacted${policy === 'redact' ? '' : ' (no terminal to ask; --send-anyway sends it as it is)'}.`,
      ),
    )
    return redactSecretsIn(value)
  }
  const answer = await aside(() =>
    select({
      message: `${found}. The builder would see it.`,
      options: [
        { value: 'redact', label: 'Send it redacted', hint: 'the secret is replaced by [redacted …]' },
        { value: 'send', label: 'Send it anyway' },
        { value: 'cancel', label: 'Do not send it' },
      ],
    }),
  )
  if (answer === 'redact') return redactSecretsIn(value)
  if (answer === 'send') return value
  if (isCancel(answer) || answer === 'cancel') warn(`  ${what}: not sent.`)
  return undefined
}

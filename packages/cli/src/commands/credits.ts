import type { SuportraClient } from '@suportra/client'
import pc from 'picocolors'
import { requireUser, type Target } from '../config/connect.js'
import { CliError, EXIT } from '../errors.js'
import { say } from '../io/terminal.js'

const money = (amount: number, currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100)

/** `suportra credits [--buy <pack>]`: the balance, the packs and what a session costs; with --buy, a checkout link. */
export async function credits(
  client: SuportraClient,
  target: Target,
  flags: { buy?: string },
): Promise<void> {
  requireUser(client)
  const [balance, { packs, costs }] = await Promise.all([client.credits.refresh(), client.credits.packs()])
  if (flags.buy) {
    if (!packs.some((pack) => pack.id === flags.buy)) {
      throw new CliError(
        `unknown pack "${flags.buy}": one of ${packs.map((p) => p.id).join(', ')}`,
        EXIT.usage,
      )
    }
    const back = new URL('/', target.url).href
    const { url } = await client.credits.checkout({ packId: flags.buy, successUrl: back, cancelUrl: back })
    say(`Open this link to pay (the credits arrive once paid):\n${url}`)
    return
  }
  say(
    `Balance: ${pc.bold(String(balance))} credit${balance === 1 ? '' : 's'} (a chat costs ${costs.conversation}, video ${costs.video})`,
  )
  say('Packs:')
  for (const pack of packs) {
    say(
      `  ${pack.id.padEnd(14)} ${pack.name.padEnd(20)} ${String(pack.credits).padStart(4)} credits  ${money(pack.price, pack.currency)}`,
    )
  }
  say(pc.dim('Buy one: suportra credits --buy <pack id>'))
}

/** `suportra tools`: the tool ids `ask --tool` takes. */
export async function tools(client: SuportraClient): Promise<void> {
  for (const tool of await client.tools()) say(`${tool.id.padEnd(16)} ${tool.name}`)
}

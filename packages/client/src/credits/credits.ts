import {
  BalanceResponse,
  CheckoutResponse,
  PacksResponse,
  type Transaction,
  TransactionsResponse,
} from '@suportra/protocol'
import { atom } from 'nanostores'
import { liveStore } from '../core/live-store.js'
import type { Http } from '../http/http.js'

/** The credit balance and the ledger behind it. (A closure rather than a class: fewer bundle bytes.) */
export function createCredits(http: Http, retain: () => () => void) {
  /** Undefined until loaded; follows realtime updates (holds, releases, purchases). */
  const $balance = atom<number | undefined>(undefined)

  const refresh = async (): Promise<number> => {
    const { balance } = await http('/v1/credits', BalanceResponse)
    $balance.set(balance)
    return balance
  }

  liveStore($balance, { retain, load: refresh })

  return {
    $balance,
    refresh,

    /** The packs for sale, what a session and video cost, and the low-balance threshold. */
    packs: (): Promise<PacksResponse> => http('/v1/credits/packs', PacksResponse, { auth: false }),

    /**
     * Where to pay for a pack (Stripe Checkout). Open it in a new tab; the balance updates by itself
     * when the payment is confirmed. Return URLs must be on your app's allowed origins.
     */
    checkout: (input: { packId: string; successUrl: string; cancelUrl: string }): Promise<{ url: string }> =>
      http('/v1/credits/checkout', CheckoutResponse, { method: 'POST', body: input }),

    /** Ledger rows, newest first. */
    async transactions(): Promise<Transaction[]> {
      return (await http('/v1/credits/transactions', TransactionsResponse)).transactions
    },
  } as const
}

export type Credits = ReturnType<typeof createCredits>

import {
  BalanceResponse,
  CheckoutResponse,
  PacksResponse,
  type Transaction,
  TransactionsResponse,
} from '@suportra/protocol'
import { atom } from 'nanostores'
import { whileWatched } from '../core/watch.js'
import type { Http } from '../http/http.js'

/** The credit balance and the ledger behind it. */
export class Credits {
  /** Undefined until loaded; follows realtime updates (holds, releases, purchases). */
  readonly $balance = atom<number | undefined>(undefined)
  readonly #http: Http

  constructor(http: Http, retain: () => () => void) {
    this.#http = http
    whileWatched(this.$balance, retain, () => this.refresh())
  }

  async refresh(): Promise<number> {
    const { balance } = await this.#http('/v1/credits', BalanceResponse)
    this.$balance.set(balance)
    return balance
  }

  /** The packs for sale, what a session and video cost, and the low-balance threshold. */
  packs(): Promise<PacksResponse> {
    return this.#http('/v1/credits/packs', PacksResponse, { auth: false })
  }

  /**
   * Where to pay for a pack (Stripe Checkout). Open it in a new tab; the balance updates by itself
   * when the payment is confirmed. Return URLs must be on your app's allowed origins.
   */
  checkout(input: { packId: string; successUrl: string; cancelUrl: string }): Promise<{ url: string }> {
    return this.#http('/v1/credits/checkout', CheckoutResponse, { method: 'POST', body: input })
  }

  /** Ledger rows, newest first. */
  async transactions(): Promise<Transaction[]> {
    return (await this.#http('/v1/credits/transactions', TransactionsResponse)).transactions
  }
}

import { atom } from 'nanostores'
import { whileWatched } from '../core/watch.js'
import type { Http } from '../http/http.js'
import type { Transaction } from '../protocol/models.js'
import { BalanceResponse, TransactionsResponse } from '../protocol/responses.js'

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

  /** Ledger rows, newest first. */
  async transactions(): Promise<Transaction[]> {
    return (await this.#http('/v1/credits/transactions', TransactionsResponse)).transactions
  }
}

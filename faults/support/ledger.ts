import type { Database } from '@suportra/server/testing'

export interface LedgerCheck {
  /** Users whose ledger took more than their sessions, upgrades and purchases account for. */
  overcharged: number
  /** Users whose ledger took less (credits given away). */
  undercharged: number
  /**
   * Holds placed before a refund's reversal and released after it: their credits were refunded, and
   * cancelling handed them back (a reversal must withdraw every waiting session in its transaction).
   */
  keptAfterRefund: number
  /** Users whose balance was below zero at some point of the ledger's history. */
  wentNegative: number
  /** Sessions whose hold was not placed exactly once, or not resolved exactly once as its status says. */
  holdErrors: number
  /** Ledger rows sharing an idempotency key (the unique index should make this impossible). */
  duplicateKeys: number
  /** Balance per user (the ledger sum). */
  balances: Map<string, number>
  problems: string[]
}

/**
 * Checks the money of `users` against an independent account of what they should have paid:
 * `granted` credits, plus purchases marked paid, minus the cost of every session not cancelled,
 * minus the video charge of every session that became a video session. A refunded purchase counts
 * for what its reversal left (a reversal takes back at most the balance, never below zero).
 */
export async function checkLedger(
  store: Database,
  users: readonly string[],
  granted: ReadonlyMap<string, number>,
  videoCost: number,
): Promise<LedgerCheck> {
  const { db } = store
  const problems: string[] = []
  const note = (text: string) => problems.length < 20 && problems.push(text)
  const result: LedgerCheck = {
    overcharged: 0,
    undercharged: 0,
    keptAfterRefund: 0,
    wentNegative: 0,
    holdErrors: 0,
    duplicateKeys: 0,
    balances: new Map(),
    problems,
  }
  if (users.length === 0) return result
  // Insertion order: SQLite's rowid (quoted "rowid" still names it); PostgreSQL has none, so time.
  const rows = await db
    .selectFrom('ledger')
    .selectAll()
    .where('user_id', 'in', users)
    .orderBy(store.dialect === 'sqlite' ? ('rowid' as 'created_at') : 'created_at')
    .execute()
  const sessions = await db
    .selectFrom('sessions')
    .select(['id', 'user_id', 'status', 'kind', 'cost'])
    .where('user_id', 'in', users)
    .execute()
  const purchases = await db
    .selectFrom('purchases')
    .select(['id', 'user_id', 'credits', 'status'])
    .where('user_id', 'in', users)
    .execute()
  const keys = await db
    .selectFrom('ledger')
    .select(['idempotency_key', (eb) => eb.fn.countAll<number>().as('n')])
    .where('user_id', 'in', users)
    .groupBy('idempotency_key')
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute()
  result.duplicateKeys = keys.length

  for (const user of users) {
    let running = 0
    let negative = false
    for (const row of rows) {
      if (row.user_id !== user) continue
      running += row.amount
      if (running < 0) negative = true
    }
    result.balances.set(user, running)
    if (negative) {
      result.wentNegative++
      note(`${user}'s balance went below zero`)
    }
    const mine = sessions.filter((s) => s.user_id === user)
    const spent =
      mine.filter((s) => s.status !== 'cancelled').reduce((n, s) => n + s.cost, 0) +
      mine.filter((s) => s.kind === 'video').length * videoCost
    const taken = (purchaseId: string) =>
      -(rows.find((r) => r.idempotency_key === `reversal:${purchaseId}`)?.amount ?? 0)
    const grantedFor = (purchaseId: string) =>
      rows.some((r) => r.idempotency_key === `purchase:${purchaseId}`)
    const bought = purchases
      .filter((p) => p.user_id === user && p.status !== 'pending' && grantedFor(p.id))
      .reduce((n, p) => n + p.credits - (p.status === 'refunded' ? taken(p.id) : 0), 0)
    for (const p of purchases) {
      if (p.user_id !== user) continue
      if (p.status === 'paid' && !grantedFor(p.id)) {
        result.overcharged++
        note(`purchase ${p.id} is paid but its credits were never granted`)
      }
      if (taken(p.id) > p.credits) {
        result.overcharged++
        note(`purchase ${p.id}: the refund took ${taken(p.id)} of ${p.credits} credits`)
      }
    }
    const expected = (granted.get(user) ?? 0) + bought - spent
    if (running < expected) {
      result.overcharged++
      note(`${user} has ${running}, should have ${expected}`)
    }
    if (running > expected) {
      result.undercharged++
      note(`${user} has ${running}, should have only ${expected}`)
    }
    // The expected balance above trusts what each reversal took (at most the balance). That is only
    // right if no hold survived the reversal: one placed before it and released after it gave
    // refunded credits back.
    for (const reversal of rows.filter((r) => r.user_id === user && r.kind === 'reversal')) {
      for (const hold of rows.filter((r) => r.user_id === user && r.kind === 'hold')) {
        const release = rows.find(
          (r) => r.kind === 'release' && r.idempotency_key === `settle:${hold.reference}`,
        )
        if (release && hold.created_at < reversal.created_at && release.created_at > reversal.created_at) {
          result.keptAfterRefund++
          note(
            `${user}: session ${hold.reference} was held before the refund ${reversal.reference} and released after it`,
          )
        }
      }
    }
  }

  const byKey = new Map<string, (typeof rows)[number][]>()
  for (const row of rows) {
    const list = byKey.get(row.idempotency_key) ?? []
    list.push(row)
    byKey.set(row.idempotency_key, list)
  }
  for (const session of sessions) {
    const holds = byKey.get(`hold:${session.id}`) ?? []
    const settles = byKey.get(`settle:${session.id}`) ?? []
    const expected =
      session.status === 'waiting' ? [] : session.status === 'cancelled' ? ['release'] : ['capture']
    const ok =
      holds.length === 1 &&
      holds[0]?.amount === -session.cost &&
      settles.map((r) => r.kind).join() === expected.join()
    if (!ok) {
      result.holdErrors++
      note(
        `session ${session.id} (${session.status}): holds ${holds.length}, settled ${settles.map((r) => r.kind)}`,
      )
    }
  }
  return result
}

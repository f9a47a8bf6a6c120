import type { RateLimiterAbstract } from 'rate-limiter-flexible'
import type { Context } from '../context.js'
import { consume } from '../rate-limit.js'
import { hashGate } from './hash-gate.js'
import { verifyPassword } from './passwords.js'

/** A budget of wrong passwords: one point of `key` is spent per check. */
export interface FailureBudget {
  limiter: RateLimiterAbstract
  key: string
  /** For the 429's message: "Too many <what>". */
  what: string
  /** A right password clears the whole count (true), or gives back only this check's point. */
  clearOnSuccess: boolean
}

/**
 * Checks `password` against `stored` the one way sign-in and account changes do:
 *
 * 1. the client's address is admitted by the hashing gate (`hash-gate.ts`), or refused at once
 *    having spent nothing: an address has at most `concurrentPerIp` checks under way;
 * 2. a point of every failure budget is spent **before** the hash, so parallel guesses are counted
 *    like sequential ones and a guesser out of budget is refused (429) before any hash;
 * 3. the hash runs in one of the process's hashing slots, which holds nothing but the hash;
 * 4. a right password gives the points back (or clears the count); a refused or failed check (the
 *    gate was full, the database failed) gives them back too, so it costs the account nothing; a
 *    wrong password keeps them.
 *
 * Returns whether the password is right.
 */
export async function checkPassword(
  ctx: Context,
  ip: string,
  password: string,
  stored: string,
  budgets: FailureBudget[],
): Promise<boolean> {
  const gate = hashGate(ctx)
  const leave = gate.admit(ip)
  const spent: FailureBudget[] = []
  try {
    let right: boolean
    try {
      for (const budget of budgets) {
        await consume(budget.limiter, budget.key, budget.what)
        spent.push(budget)
      }
      right = await gate.hash(() => verifyPassword(password, stored))
    } catch (error) {
      await giveBack(spent, false).catch((err: unknown) =>
        ctx.log.warn({ err }, 'failure points not given back after a refused password check'),
      )
      throw error
    }
    if (right) await giveBack(spent, true)
    return right
  } finally {
    leave()
  }
}

async function giveBack(budgets: FailureBudget[], success: boolean): Promise<void> {
  for (const { limiter, key, clearOnSuccess } of budgets) {
    if (success && clearOnSuccess) await limiter.delete(key)
    else await limiter.reward(key, 1)
  }
}

import type { UpdateAccountRequest } from '@suportra/protocol'
import type * as z from 'zod/mini'
import { checkPassword } from '../auth/password-check.js'
import type { Caller } from '../auth/tokens.js'
import type { Context } from '../context.js'
import { isUniqueViolation } from '../db/database.js'
import type { UserRow } from '../db/schema.js'
import { queueEmail } from '../email/outbox.js'
import { emailChanged } from '../email/templates.js'
import { conflict, DomainError, unauthorized } from '../errors.js'
import { consume } from '../rate-limit.js'
import { findByLogin, findUser } from '../users/users.js'

const taken = () => conflict('An account with this email already exists')

/**
 * Changes the caller's name and/or email (the right to correct), confirmed with their current
 * password (`rateLimits.accountUpdates` per user, `accountPasswordFailures` wrong ones). Accounts a vendor manages (signed in by identity token) have no password here and get
 * their name and email from the vendor: they are refused, and told where to change them. A new
 * email must be free (409); the old address is told of the change, and reset links sent there stop
 * working.
 */
export async function updateAccount(
  ctx: Context,
  caller: Caller,
  input: z.output<typeof UpdateAccountRequest>,
  ip: string,
): Promise<UserRow> {
  // Every change costs a password hash, right password or not.
  await consume(ctx.limits.accountUpdates, caller.userId, 'account changes')
  const user = await findUser(ctx.store, caller.userId)
  if (!user) throw unauthorized('Account no longer exists')
  if (!user.password_hash) {
    throw new DomainError(
      'forbidden',
      'This account is managed by the app you signed in with: change your name and email there (they reach Suportra the next time it signs you in)',
      { details: { reason: 'managed' } },
    )
  }
  // As at sign-in: the failure point spent before the hash and given back on success.
  const right = await checkPassword(ctx, ip, input.password, user.password_hash, [
    {
      limiter: ctx.limits.accountPasswordFailures,
      key: user.id,
      what: 'wrong passwords',
      clearOnSuccess: true,
    },
  ])
  if (!right)
    throw new DomainError('forbidden', 'The password is not right', { details: { reason: 'password' } })

  const email = input.email !== undefined && input.email !== user.login_email ? input.email : undefined
  if (email !== undefined && (await findByLogin(ctx.store, email))) throw taken()
  const changes = {
    ...(input.name !== undefined && { name: input.name }),
    ...(email !== undefined && { email, login_email: email }),
  }
  if (Object.keys(changes).length === 0) return user
  try {
    await ctx.store.transaction(async (tx) => {
      await tx.updateTable('users').set(changes).where('id', '=', user.id).execute()
      if (email === undefined || !user.email) return
      // A link sent to the old address must not reset the account any more.
      await tx
        .updateTable('password_resets')
        .set({ used_at: Date.now() })
        .where('user_id', '=', user.id)
        .where('used_at', 'is', null)
        .execute()
      await queueEmail(tx, {
        userId: user.id,
        to: user.email,
        kind: 'email_changed',
        ...emailChanged({ newEmail: email }),
      })
    })
  } catch (error) {
    // Another account took the address between the check and the update.
    throw isUniqueViolation(error) ? taken() : error
  }
  ctx.log.info(
    { userId: user.id, name: input.name !== undefined, email: email !== undefined },
    'account updated',
  )
  return { ...user, ...changes }
}

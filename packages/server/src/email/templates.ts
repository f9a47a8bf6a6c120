/** The transactional emails, as plain text. Every one says why it was sent. */
export function sessionStarted(input: { name: string; topic: string; tool: string }) {
  return {
    subject: 'Your Suportra session has started',
    body: `Hi ${input.name},\n\nWe received your request about ${input.tool}:\n\n  ${input.topic}\n\nA builder will join shortly; you will see them in the chat. You are charged only once a builder joins.\n\n— Suportra`,
  }
}

export function lowBalance(input: { name: string; balance: number }) {
  return {
    subject: `You have ${input.balance} Suportra credit${input.balance === 1 ? '' : 's'} left`,
    body: `Hi ${input.name},\n\nYour balance is down to ${input.balance}. Buy a pack from the Suportra panel when you need more conversations.\n\n— Suportra`,
  }
}

export function receipt(input: {
  name: string
  pack: string
  credits: number
  amount: number
  currency: string
  reference: string
}) {
  const price = new Intl.NumberFormat('en', {
    style: 'currency',
    currency: input.currency.toUpperCase(),
  }).format(input.amount / 100)
  return {
    subject: `Receipt: ${input.pack}`,
    body: `Hi ${input.name},\n\nThank you for your purchase.\n\n  ${input.pack}: ${input.credits} credits\n  Paid: ${price}\n  Reference: ${input.reference}\n\nThe credits are in your balance now.\n\n— Suportra`,
  }
}

/**
 * Goes to an address nobody has verified, so it quotes nothing the sender wrote: otherwise anyone
 * could send their own text to any inbox from the operator's domain.
 */
export function auditReceived() {
  return {
    subject: 'We received your stack audit request',
    body: 'Hi,\n\nThanks for your stack audit request. A builder will review it and reply to this address.\n\nIf you did not ask for this, ignore this email.\n\n— Suportra',
  }
}

/** The fragment that carries a password reset token in a link (`#suportra-reset=<token>`). */
export const RESET_FRAGMENT = 'suportra-reset='

/**
 * Goes to the address of an account whose name anyone could have chosen (addresses are not
 * verified at sign-up), so it quotes only what the server made: the link, the site it opens, the time.
 */
export function passwordReset(input: { link: string; minutes: number }) {
  const site = new URL(input.link).origin
  return {
    subject: 'Reset your Suportra password',
    body: `Hi,\n\nSomeone asked, on ${site}, to reset the password of the Suportra account that uses this email address.\n\nTo choose a new password, open this link within ${input.minutes} minutes. It works once, and signs you out everywhere else:\n\n  ${input.link}\n\nIf you did not ask for this, ignore this email: your password stays as it is.\n\n— Suportra`,
  }
}

/** What stays of a reset email once it is sent: the token goes (the outbox keeps no usable link). */
export function withoutResetToken(body: string): string {
  return body.replace(new RegExp(`#${RESET_FRAGMENT}[\\w-]+`, 'g'), `#${RESET_FRAGMENT}(removed once sent)`)
}

/** To the old address when an account's email changes, so a takeover does not go unnoticed. */
export function emailChanged(input: { newEmail: string }) {
  return {
    subject: 'Your Suportra email address was changed',
    body: `Hi,\n\nThe email address of your Suportra account was changed to ${input.newEmail}. Emails about the account go there from now on.\n\nIf you did not make this change, someone else may know your password: contact support at once.\n\n— Suportra`,
  }
}

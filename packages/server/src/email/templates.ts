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

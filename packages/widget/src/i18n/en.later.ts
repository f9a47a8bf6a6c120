/**
 * English strings of the parts that load later (screens behind a click, the secret warning, the start of a
 * chat's history once paged back to): their own chunk. The account screens' are in `en.account.ts`.
 */
export const enLater = {
  stars: '{score} of 5',
  comment: 'Anything to add? (optional)',
  submit: 'Send',
  thanks: 'Thank you!',
  historyEmpty: 'No past sessions yet.',
  historyStart: 'Start of the conversation',
  auditTitle: 'Free stack audit',
  auditIntro:
    'Tell us what you are building; a builder reviews your stack and emails you. No sign-in needed.',
  building: 'What are you building?',
  tools: 'Tools you use',
  blockers: 'Blockers (optional)',
  auditSent: 'Thanks! We will email you.',
  buy: 'Buy {credits} for {price}',
  paying: 'Finish paying in the new tab. Your balance updates by itself.',
  history: 'History',
  tx_grant: 'Gift',
  tx_purchase: 'Purchase',
  tx_hold: 'Session',
  tx_capture: 'Builder joined',
  tx_release: 'Returned',
  tx_video: 'Video',
  tx_refund: 'Refund',
  tx_reversal: 'Purchase refunded',
  secretsFound: 'This looks like a secret: {kinds}. The builder would see it.',
  redactSend: 'Redact and send',
  sendAnyway: 'Send anyway',
  invalidEmail: 'Enter a valid email address.',
  videoConfirm: 'Start a video call with {name}? Cost: {cost} · Your credits: {balance}',
  videoStart: 'Start video call',
  notNow: 'Not now',
  videoNoCredits: 'Not enough credits: video costs {cost}, your balance is {balance}.',
  ongoingTitle: 'You have a session going',
  ongoingText: 'Your session “{topic}” is still open.',
  addToSession: 'Add to this session',
  endAndStart: 'End it and start a new one',
  patch: 'Patch',
  applyIn: 'Apply in {tool}',
  applying: 'Applying…',
  patchApplied: 'Patch applied',
  patchFailed: 'Patch failed: {detail}',
}

export type LaterCatalog = typeof enLater

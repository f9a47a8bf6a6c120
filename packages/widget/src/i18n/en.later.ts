/** English strings of the parts that load later (screens behind a click, the secret warning): their own chunk. */
export const enLater = {
  stars: '{score} of 5',
  comment: 'Anything to add? (optional)',
  submit: 'Send',
  thanks: 'Thank you!',
  historyEmpty: 'No past sessions yet.',
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
  exportData: 'Download my data',
  deleteAccount: 'Delete my account',
  deleteWarn:
    'This deletes your account, transcripts and files. Billing records are kept without your name. It cannot be undone.',
  confirmDelete: 'Yes, delete everything',
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
}

export type LaterCatalog = typeof enLater

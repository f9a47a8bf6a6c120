/**
 * English strings of the account screens (sign-up, password reset, the user's rights): their own chunk,
 * loaded with those screens.
 */
export const enAccount = {
  name: 'Name',
  ageConfirm: 'I am 16 or older',
  emailTaken: 'An account already uses this email.',
  sendLink: 'Email me a link',
  linkSent: 'If an account uses {email}, a link is on its way. It works for {minutes} minutes.',
  newPassword: 'Choose a new password',
  savePassword: 'Save and sign in',
  linkExpired: 'This link has expired or was already used.',
  askAgain: 'Ask for a new link',
  editAccount: 'Edit name and email',
  currentPassword: 'Your current password',
  save: 'Save',
  saved: 'Saved.',
  notYourPassword: 'That is not your current password.',
  exportData: 'Download my data',
  deleteAccount: 'Delete my account',
  deleteWarn:
    'This deletes your account, transcripts and files. Billing records are kept without your name. It cannot be undone.',
  confirmDelete: 'Yes, delete everything',
  forfeit: 'Your {count} credits are lost with the account and not refunded.',
}

export type AccountCatalog = typeof enAccount

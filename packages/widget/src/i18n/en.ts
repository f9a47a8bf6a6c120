/**
 * English, the default catalogue: the strings the widget shows when it opens; those of screens behind a click
 * are in `en.later.ts` and, for the account screens, `en.account.ts` (loaded with them). `{name}` is filled in.
 */
export const en = {
  launcher: 'Ask a human',
  title: 'Talk to a builder',
  close: 'Close',
  back: 'Back',
  unread: '{count} unread',
  unreadFrom: 'New message from {name} ({count} unread)',
  // sign in
  signInTitle: 'Sign in to talk to a builder',
  email: 'Email',
  password: 'Password',
  signIn: 'Sign in',
  signOut: 'Sign out',
  wrongPassword: 'That email and password do not match.',
  signUp: 'Create an account',
  forgot: 'Forgot password?',
  // new session
  newTitle: 'What are you stuck on?',
  tool: 'Tool',
  topic: 'Describe the blocker',
  topicHint: 'What you tried, what happened, what you expected',
  context: 'Shared with the builder',
  cost: 'Session cost: {cost} · Your credits: {balance}',
  noCredits: 'Not enough credits: the session costs {cost}, your balance is {balance}.',
  start: 'Start session',
  pastSessions: 'Past sessions',
  audit: 'Free stack audit',
  // waiting and chat
  waiting: 'Waiting for a builder',
  position: 'You are #{position} in the queue',
  expected: 'Usually answered within {minutes} min',
  cancel: 'Cancel',
  joined: '{name} joined',
  started: 'Session started',
  ended: 'Session ended',
  cancelled: 'Session cancelled',
  video: 'Upgraded to video',
  videoCall: 'Video call (cost: {cost})',
  joinVideo: 'Join video',
  typing: '{name} is typing…',
  reconnecting: 'Reconnecting…',
  offline: 'You are offline. Messages will be sent when you are back.',
  composer: 'Write a message',
  send: 'Send',
  attach: 'Attach files',
  pending: 'Sending…',
  failed: 'Not sent',
  retry: 'Retry',
  discard: 'Discard',
  copy: 'Copy',
  copied: 'Copied',
  read: 'Read',
  end: 'End session',
  builder: 'Builder',
  you: 'You',
  // rating
  rateTitle: 'How did it go?',
  newSession: 'New session',
  // credits and account
  credits: 'Credits',
  buyCredits: 'Buy credits',
  lowBalance: 'You are running low on credits.',
  account: 'Your data',
  // code and secrets
  removePart: 'Remove {part}',
  copyTranscript: 'Copy transcript as Markdown',
  part_error: 'Error',
  part_file: 'File',
  part_selection: 'Selection',
  part_diff: 'Diff',
  part_terminal: 'Terminal',
  part_conversation: 'AI conversation',
  part_url: 'Page',
  part_tool: 'Tool version',
  part_project: 'Project',
  // errors
  error: 'Something went wrong. Please try again.',
  serverDown: 'Suportra cannot be reached right now.',
  loading: 'Loading…',
  plainText: 'text',
}

/** The strings the widget needs as soon as it opens (each locale's main chunk). */
export type Catalog = typeof en
/** Every string: these and the ones that load later (`en.later.ts`, `en.account.ts`). */
export type Messages = Catalog &
  import('./en.later.js').LaterCatalog &
  import('./en.account.js').AccountCatalog
export type MessageKey = keyof Messages

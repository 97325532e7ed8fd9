/**
 * Every piece of console text, in English. A new language is a new file with the same shape
 * (`satisfies Messages`) and one line in `i18n/index.ts`.
 */
export const en = {
  productName: 'Samepage',
  consoleName: 'Agent console',
  loading: 'Loading…',

  signInHeading: 'Sign in to Samepage',
  signInIntro: 'Use your agent account to join customers’ sessions.',
  emailLabel: 'Email',
  passwordLabel: 'Password',
  signInButton: 'Sign in',
  loginInvalid: 'The email or password is wrong.',
  loginRateLimited: 'Too many attempts; wait a moment and try again.',
  loginFailed: 'Signing in failed. Check your connection and try again.',

  signedInAs: 'Signed in as',
  logOut: 'Log out',
  joinHeading: 'Join a session',
  joinIntro: 'Ask the customer for the 6-digit code shown on their screen.',
  codeLabel: 'Session code',
  codePlaceholder: '123 456',
  joinButton: 'Join',
  joining: 'Joining…',
  codeFormat: 'A session code is 6 digits.',
  connectFailed: 'Could not reach the Samepage server. Try again.',
  joinErrors: {
    code_unknown: 'No session has this code.',
    code_expired: 'This code has expired; ask the customer for a new one.',
    code_used: 'This code has already been used; ask the customer for a new one.',
    code_invalid: 'A session code is 6 digits.',
    rate_limited: 'Too many attempts; wait a moment and try again.',
  } as Record<string, string>,

  liveSessionLabel: 'Live session',
  statusLive: 'Live',
  statusConnecting: 'Connecting…',
  statusHidden: 'The customer is on another tab',
  statusUnloading: 'The customer is loading a new page…',
  statusReconnecting: 'Reconnecting…',
  statusWaiting: 'Waiting for the customer’s page…',
  statusEnded: 'Session ended',
  viewportLabel: (width: number, height: number): string => `${width} × ${height}`,
  replicaLabel: 'Replica of the customer’s tab',
  customerPointer: 'Customer’s pointer',
  participantsHeading: 'Participants',
  roleHost: 'Customer',
  roleAgent: 'Agent',
  you: '(you)',
  leave: 'Leave',
  pageLabel: 'Page',

  endedByCustomer: 'The customer ended the session',
  endedByAgent: 'An agent ended the session',
  endedBySystem: 'The session has ended',
  connectionLost: 'The connection to the server was lost',
  endedHint: 'You can join another session with a new code.',
  backHome: 'Back to sessions',
  sessionGone: 'This session is not open in this tab.',
} as const;

export type Messages = {
  [K in keyof typeof en]: (typeof en)[K] extends (...args: infer A) => string
    ? (...args: A) => string
    : (typeof en)[K] extends string
      ? string
      : (typeof en)[K];
};

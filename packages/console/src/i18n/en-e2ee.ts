/** The console's texts for end-to-end encryption (docs/E2EE.md): the code to read out, the lock, vouching. */
export const enE2ee = {
  lockVerified: 'End-to-end encrypted · verified',
  lockPairing: 'End-to-end encrypted · not verified yet',
  lockFailed: 'End-to-end encrypted · not verified',
  readCode: 'Read this code to the customer',
  readCodeHint: 'The customer sees a code too and confirms that yours matches. You see nothing of the page until then.',
  waitingForCode: 'Setting up encryption with the customer’s tab…',
  mismatch: 'The codes did not match. This connection may be intercepted.',
  mismatchHint: 'The customer’s tab shared nothing with you. Leave and join again to retry; if it happens again, tell your security team.',
  verifiedBy: 'Verified by the customer',
  vouchedBy: 'Verified through a colleague',
  epoch: 'Key generation {epoch}',
  askVouch: 'Not on the call? Ask {name} to vouch for you',
  vouchCompare: 'Compare this code with {name}',
  vouchFor: 'Vouch for {name}',
  vouchForHint: '{name} asks you to vouch for them: compare this code with {name} (for example by phone). Only confirm if it matches.',
  vouchMatch: 'It matches: vouch',
  vouchNoMatch: 'It doesn’t match',
  vouchSent: 'You vouched for {name}; the customer’s tab verified them.',
  vouchRefused: 'The codes with {name} did not match. Nobody was vouched for.',
  controlRefused: 'The customer’s tab refused that action.',
} as const;

export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The console's texts for encrypted recordings (docs/E2EE.md, "Recordings"): the admin's key card and the player's key loader. */
export const enE2eeRecording = {
  // Admin: Sites page.
  keyHeading: 'Recording key for encrypted sessions',
  keyIntro:
    'Sessions of end-to-end encrypted sites are recorded only with a recording key. The customer’s tab encrypts each session key to its public half; only the private half, which you keep, can replay them. Samepage never receives the private key, and cannot recover it: without it those recordings cannot be played.',
  keyNone: 'No recording key is registered: encrypted sessions are not recorded.',
  keyRegistered: 'Registered {date}. Public key fingerprint: {fingerprint}',
  keyGenerate: 'Generate a recording key',
  keyReplace: 'Replace the recording key',
  keyRemove: 'Remove the recording key',
  keyGenerated:
    'A new recording key was generated in this browser. Save its private key file: the public half is registered when you do. Keep the file safe; Samepage cannot recover it.',
  keySaved: 'The recording key is registered: encrypted sessions are recorded for it from now on. Play them with the file you saved.',
  keyDownload: 'Save the private key file',
  keyReplaceWarning: 'Recordings made with the old key still need the old key file to play.',
  keyRemoved: 'The recording key was removed: encrypted sessions are no longer recorded.',
  // Recording player.
  locked: 'This recording is end-to-end encrypted; load your tenant recording key to play it.',
  lockedHint: 'The key file stays in this tab’s memory only: it is not uploaded and is forgotten when you leave this page.',
  loadKey: 'Tenant recording key file',
  decrypting: 'Decrypting the recording…',
  notAKey: 'This file is not a Samepage recording key.',
  wrongKey: 'This key does not open this recording: it was made with another recording key.',
  noKeys: 'This recording holds no key: the customer’s tab did not upload one, so it cannot be played.',
  unlocked: 'Decrypted in this browser with your recording key ({epochs} key generations, {frames} frames).',
  partly: '{missing} frames could not be decrypted and were skipped.',
} as const;

export type E2eeRecordingText = keyof typeof enE2eeRecording;

/** A text with its `{name}` placeholders filled in. */
export function fillText(key: E2eeRecordingText, vars: Record<string, string | number> = {}): string {
  return enE2eeRecording[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

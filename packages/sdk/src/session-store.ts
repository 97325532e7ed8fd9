/**
 * The tab's session, kept in sessionStorage so that a page load in the same tab resumes it
 * (PROTOCOL.md, "Page loads and network blips"). sessionStorage is per tab, which is what we
 * want: a second tab of the same site is not shared. Every access is guarded: storage can be
 * disabled or full, and that must not break the page.
 */
import { json } from './safe-json.ts';

export const SESSION_STORAGE_KEY = 'samepage:session';

export interface StoredSession {
  sessionId: string;
  resumeToken: string;
  /** Last DOM frame seq and epoch sent, so both stay monotonic across page loads. */
  seq: number;
  epoch: number;
  code?: string;
  expiresAt?: number;
}

export function readStoredSession(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(SESSION_STORAGE_KEY);
    if (!raw) return null;
    const value = json().parse(raw) as Partial<StoredSession> | null;
    if (!value || typeof value.sessionId !== 'string' || typeof value.resumeToken !== 'string') return null;
    return {
      sessionId: value.sessionId,
      resumeToken: value.resumeToken,
      seq: typeof value.seq === 'number' ? value.seq : 0,
      epoch: typeof value.epoch === 'number' ? value.epoch : 0,
      ...(typeof value.code === 'string' ? { code: value.code } : {}),
      ...(typeof value.expiresAt === 'number' ? { expiresAt: value.expiresAt } : {}),
    };
  } catch {
    return null;
  }
}

export function writeStoredSession(session: StoredSession): void {
  try {
    sessionStorage.setItem(SESSION_STORAGE_KEY, json().stringify(session));
  } catch {
    // Storage full or disabled: the session still works, it just will not survive a reload.
  }
}

export function clearStoredSession(): void {
  try {
    sessionStorage.removeItem(SESSION_STORAGE_KEY);
  } catch {
    // see above
  }
}

import { newSessionCode } from '../ids.ts';

export type CodeLookup =
  | { ok: true; sessionId: string; tenantId: string }
  | { ok: false; code: 'code_unknown' | 'code_expired' | 'code_used' };

interface Entry {
  sessionId: string;
  tenantId: string;
  expiresAt: number;
  used: boolean;
}

/**
 * Session codes: short-lived and single-use. Spent and expired codes are remembered for a while
 * so the agent gets "expired" or "already used" rather than "unknown".
 */
export class CodeBook {
  private readonly entries = new Map<string, Entry>();
  private static readonly REMEMBER_MS = 60 * 60 * 1000;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(sessionId: string, tenantId: string): { code: string; expiresAt: number } {
    this.prune();
    let code = newSessionCode();
    for (let i = 0; this.entries.has(code) && i < 50; i++) code = newSessionCode();
    if (this.entries.has(code)) throw new Error('no free session code');
    const expiresAt = this.now() + this.ttlMs;
    this.entries.set(code, { sessionId, tenantId, expiresAt, used: false });
    return { code, expiresAt };
  }

  /** Spends the code if it is valid for this tenant. Another tenant's code is "unknown". */
  redeem(code: string, tenantId: string): CodeLookup {
    const entry = this.entries.get(code);
    if (!entry || entry.tenantId !== tenantId) return { ok: false, code: 'code_unknown' };
    if (entry.used) return { ok: false, code: 'code_used' };
    if (entry.expiresAt <= this.now()) return { ok: false, code: 'code_expired' };
    entry.used = true;
    return { ok: true, sessionId: entry.sessionId, tenantId: entry.tenantId };
  }

  /** Voids every code of a session, e.g. when it ends. */
  revokeSession(sessionId: string): void {
    for (const entry of this.entries.values()) if (entry.sessionId === sessionId) entry.used = true;
  }

  private prune(): void {
    const cutoff = this.now() - CodeBook.REMEMBER_MS;
    for (const [code, entry] of this.entries) if (entry.expiresAt < cutoff) this.entries.delete(code);
  }
}

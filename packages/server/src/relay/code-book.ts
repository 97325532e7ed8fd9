import { newSessionCode } from '../ids.ts';
import type { Bus } from '../cluster/bus.ts';

export type CodeLookup =
  | { ok: true; sessionId: string; tenantId: string }
  | { ok: false; code: 'code_unknown' | 'code_expired' | 'code_used' };

interface Entry {
  sessionId: string;
  tenantId: string;
  expiresAt: number;
}

/**
 * Session codes: short-lived and single-use, kept on the bus so a code made on one node can be
 * used on another. Spent and expired codes are remembered for a while so the agent gets
 * "expired" or "already used" rather than "unknown". Single use is one atomic SET NX of a
 * "used" marker, so two nodes redeeming the same code at once cannot both win.
 */
export class CodeBook {
  private static readonly REMEMBER_MS = 60 * 60 * 1000;
  /** Codes this node issued, per session, so ending a session voids them. */
  private readonly issued = new Map<string, string[]>();

  constructor(
    private readonly bus: Bus,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(sessionId: string, tenantId: string): Promise<{ code: string; expiresAt: number }> {
    const expiresAt = this.now() + this.ttlMs;
    const entry: Entry = { sessionId, tenantId, expiresAt };
    for (let i = 0; i < 50; i++) {
      const code = newSessionCode();
      if (await this.bus.setIfAbsent(`sp:code:${code}`, JSON.stringify(entry), this.ttlMs + CodeBook.REMEMBER_MS)) {
        const list = this.issued.get(sessionId) ?? [];
        list.push(code);
        this.issued.set(sessionId, list);
        return { code, expiresAt };
      }
    }
    throw new Error('no free session code');
  }

  /** Spends the code if it is valid for this tenant. Another tenant's code is "unknown". */
  async redeem(code: string, tenantId: string): Promise<CodeLookup> {
    const raw = await this.bus.getValue(`sp:code:${code}`);
    const entry = raw ? (JSON.parse(raw) as Entry) : null;
    if (!entry || entry.tenantId !== tenantId) return { ok: false, code: 'code_unknown' };
    if ((await this.bus.getValue(`sp:code-used:${code}`)) !== null) return { ok: false, code: 'code_used' };
    if (entry.expiresAt <= this.now()) return { ok: false, code: 'code_expired' };
    if (!(await this.bus.setIfAbsent(`sp:code-used:${code}`, '1', CodeBook.REMEMBER_MS))) return { ok: false, code: 'code_used' };
    return { ok: true, sessionId: entry.sessionId, tenantId: entry.tenantId };
  }

  /** The session of a code that is still valid, without spending it (a follow-up links to it); null otherwise. */
  async peek(code: string): Promise<{ sessionId: string; tenantId: string } | null> {
    const raw = await this.bus.getValue(`sp:code:${code}`);
    const entry = raw ? (JSON.parse(raw) as Entry) : null;
    if (!entry || entry.expiresAt <= this.now() || (await this.bus.getValue(`sp:code-used:${code}`)) !== null) return null;
    return { sessionId: entry.sessionId, tenantId: entry.tenantId };
  }

  /** Voids every code this node issued for a session, e.g. when it ends. */
  async revokeSession(sessionId: string): Promise<void> {
    const codes = this.issued.get(sessionId) ?? [];
    this.issued.delete(sessionId);
    await Promise.all(codes.map((code) => this.bus.setValue(`sp:code-used:${code}`, '1', CodeBook.REMEMBER_MS)));
  }
}

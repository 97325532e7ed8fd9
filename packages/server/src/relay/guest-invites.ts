import { newSecret } from '../ids.ts';

const GUEST_LINK_TTL_MS = 30 * 60 * 1000;

/** View-only links a customer gives a friend. Valid for 30 minutes and for one session. */
export class GuestInvites {
  private readonly links = new Map<string, { sessionId: string; tenantId: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(sessionId: string, tenantId: string): { token: string; expiresAt: number } {
    const t = this.now();
    for (const [token, link] of this.links) if (link.expiresAt < t) this.links.delete(token);
    const token = newSecret(18);
    const expiresAt = t + GUEST_LINK_TTL_MS;
    this.links.set(token, { sessionId, tenantId, expiresAt });
    return { token, expiresAt };
  }

  redeem(token: string): { sessionId: string; tenantId: string } | null {
    const link = this.links.get(token);
    if (!link || link.expiresAt <= this.now()) return null;
    return { sessionId: link.sessionId, tenantId: link.tenantId };
  }

  revokeSession(sessionId: string): void {
    for (const [token, link] of this.links) if (link.sessionId === sessionId) this.links.delete(token);
  }
}

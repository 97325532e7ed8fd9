import { newSecret } from '../ids.ts';
import type { Bus } from '../cluster/bus.ts';

const GUEST_LINK_TTL_MS = 30 * 60 * 1000;

interface Link {
  sessionId: string;
  tenantId: string;
  expiresAt: number;
}

/**
 * View-only links a customer gives a friend. Valid for 30 minutes and for one session. Kept on
 * the bus (`sp:guest:<token>`), so a link made on one node opens on any other; the guest's node
 * then joins the session wherever its home is (cluster-router.ts).
 */
export class GuestInvites {
  /** Tokens this node issued, per session, so ending the session voids them. */
  private readonly issued = new Map<string, string[]>();

  constructor(
    private readonly bus: Bus,
    private readonly now: () => number = Date.now,
  ) {}

  /** Synchronous for its callers; the write is queued on the bus before the link can be shown to anyone. */
  issue(sessionId: string, tenantId: string): { token: string; expiresAt: number } {
    const token = newSecret(18);
    const expiresAt = this.now() + GUEST_LINK_TTL_MS;
    const link: Link = { sessionId, tenantId, expiresAt };
    void this.bus.setValue(`sp:guest:${token}`, JSON.stringify(link), GUEST_LINK_TTL_MS).catch(() => undefined);
    this.issued.set(sessionId, [...(this.issued.get(sessionId) ?? []), token]);
    return { token, expiresAt };
  }

  async redeem(token: string): Promise<{ sessionId: string; tenantId: string } | null> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(token)) return null;
    const raw = await this.bus.getValue(`sp:guest:${token}`);
    const link = raw ? (JSON.parse(raw) as Link) : null;
    if (!link || link.expiresAt <= this.now()) return null;
    return { sessionId: link.sessionId, tenantId: link.tenantId };
  }

  /** Voids the links this node issued for the session; links a former home issued die with the session's record. */
  revokeSession(sessionId: string): void {
    for (const token of this.issued.get(sessionId) ?? []) void this.bus.deleteValue(`sp:guest:${token}`).catch(() => undefined);
    this.issued.delete(sessionId);
  }
}

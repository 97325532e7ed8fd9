import type { Visitor, VisitorIdentity } from '@samepage/protocol';
import { newId } from '../ids.ts';
import type { Peer } from './peer.ts';

interface Entry {
  visitor: Visitor;
  tenantId: string;
  peer: Peer;
}

interface Request {
  requestId: string;
  visitorId: string;
  tenantId: string;
  agent: Peer;
  /** Called when the visitor accepted and its session exists, so the agent can join it. */
  onSession?: (sessionId: string) => void;
  expiresAt: number;
  accepted: boolean;
}

const REQUEST_TTL_MS = 2 * 60 * 1000;

/** Tabs with the SDK loaded (before any session), per tenant, and agents' co-browse requests. */
export class VisitorRegistry {
  private readonly visitors = new Map<string, Entry>();
  private readonly watchers = new Map<Peer, string>();
  private readonly requests = new Map<string, Request>();

  add(peer: Peer, tenantId: string, site: { id: string; name: string }, page: Visitor['page'], identity?: VisitorIdentity): string {
    const visitorId = peer.connId;
    this.visitors.set(visitorId, { tenantId, peer, visitor: { visitorId, siteId: site.id, siteName: site.name, identity, page, since: Date.now(), inSession: false } });
    this.notify(tenantId);
    return visitorId;
  }

  update(visitorId: string, patch: { identity?: VisitorIdentity; inSession?: boolean }): void {
    const entry = this.visitors.get(visitorId);
    if (!entry) return;
    if (patch.identity) entry.visitor.identity = patch.identity;
    if (patch.inSession !== undefined) entry.visitor.inSession = patch.inSession;
    this.notify(entry.tenantId);
  }

  remove(visitorId: string): void {
    const entry = this.visitors.get(visitorId);
    if (!entry) return;
    this.visitors.delete(visitorId);
    this.notify(entry.tenantId);
  }

  /** Presence ids of a tenant's visitors identified with this id (`Samepage.identify`). */
  findByIdentity(tenantId: string, identityId: string | undefined): string[] {
    if (!identityId) return [];
    return [...this.visitors.values()].filter((e) => e.tenantId === tenantId && e.visitor.identity?.id === identityId).map((e) => e.visitor.visitorId);
  }

  list(tenantId: string): Visitor[] {
    return [...this.visitors.values()].filter((e) => e.tenantId === tenantId).map((e) => e.visitor);
  }

  watch(agent: Peer, tenantId: string): void {
    this.watchers.set(agent, tenantId);
    agent.sendMessage({ type: 'visitors', visitors: this.list(tenantId) });
  }

  unwatch(agent: Peer): void {
    this.watchers.delete(agent);
    for (const [id, r] of this.requests) if (r.agent === agent) this.requests.delete(id);
  }

  /** Asks a visitor of the agent's tenant to co-browse; null when there is no such visitor. */
  request(visitorId: string, tenantId: string, agent: Peer, agentName: string, company: string, onSession: (sessionId: string) => void): string | null {
    const entry = this.visitors.get(visitorId);
    if (!entry || entry.tenantId !== tenantId) return null;
    const requestId = newId('req');
    this.requests.set(requestId, { requestId, visitorId, tenantId, agent, onSession, expiresAt: Date.now() + REQUEST_TTL_MS, accepted: false });
    entry.peer.sendMessage({ type: 'cobrowse_requested', requestId, agentName, company });
    return requestId;
  }

  /** The visitor answered on its presence socket. */
  answer(visitorPeer: Peer, requestId: string, accepted: boolean): boolean {
    const request = this.requests.get(requestId);
    if (!request || request.visitorId !== visitorPeer.connId || request.expiresAt < Date.now()) return false;
    request.agent.sendMessage({ type: 'cobrowse_answered', requestId, visitorId: request.visitorId, accepted });
    if (accepted) request.accepted = true;
    else this.requests.delete(requestId);
    return true;
  }

  /** A session was started for an accepted request: hand it to the requesting agent once. */
  claim(requestId: string, tenantId: string): Request | null {
    const request = this.requests.get(requestId);
    if (!request || !request.accepted || request.tenantId !== tenantId || request.expiresAt < Date.now()) return null;
    this.requests.delete(requestId);
    return request;
  }

  private notify(tenantId: string): void {
    const visitors = this.list(tenantId);
    for (const [agent, t] of this.watchers) if (t === tenantId) agent.sendMessage({ type: 'visitors', visitors });
  }
}

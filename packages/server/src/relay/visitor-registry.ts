import type { Visitor, VisitorIdentity } from '@samepage/protocol';
import { newId } from '../ids.ts';
import type { Envelope } from '../cluster/cluster.ts';
import { coalesce } from '../cluster/coalesce.ts';
import type { LiveSession } from './live-session.ts';
import type { Peer } from './peer.ts';
import type { Relay } from './relay.ts';

interface Entry {
  visitor: Visitor;
  tenantId: string;
  peer: Peer;
}

/** A request asked by an agent on this node; the answer and the session come back here. */
interface Outgoing {
  visitorId: string;
  agent: Peer;
  /** The visitor accepted and its session exists on `home`, so the agent can join it. */
  onSession: (sessionId: string, home: string) => void;
  expiresAt: number;
}

/** A request shown to a visitor on this node; its answer goes back to the agent's node. */
interface Incoming {
  visitorId: string;
  agentNode: string;
  expiresAt: number;
}

/** On the bus (`sp:request:<id>`, and `sp:request-accepted:<id>` once accepted), so the node that gets the customer's session_start can claim it. */
interface RequestRecord {
  visitorId: string;
  visitorNode: string;
  tenantId: string;
  agentNode: string;
  expiresAt: number;
}

/** An accepted request, claimed once by the session it started. */
export interface ClaimedRequest {
  requestId: string;
  visitorId: string;
  visitorNode: string;
  /** Tells the requesting agent (on whatever node) that the session exists here. */
  onSession(sessionId: string): void;
}

const REQUEST_TTL_MS = 2 * 60 * 1000;

type VisitorEnvelope = Extract<Envelope, { t: 'cobrowse_ask' | 'cobrowse_answered' | 'cobrowse_session' | 'visitor_update' }>;

/**
 * Tabs with the SDK loaded (before any session) and agents' co-browse requests, cluster-wide.
 * Each node lists its own visitors in its share of the `visitors` table (cluster/node-state.ts);
 * a console on any node sees the visitors of every node. A request travels to the visitor's node,
 * the answer back to the agent's node, and the accepted request waits on the bus for the node
 * that receives the customer's session_start.
 */
export class VisitorRegistry {
  private readonly visitors = new Map<string, Entry>();
  private readonly watchers = new Map<Peer, string>();
  private readonly outgoing = new Map<string, Outgoing>();
  private readonly incoming = new Map<string, Incoming>();
  /** Visitors on other nodes this node marked as in a session, and their node. */
  private readonly remotePresence = new Map<string, string>();
  private listening = false;
  /** Sends the tenant's list to its watchers on this node, one read at a time. */
  private readonly refresh = coalesce((tenantId) => this.pushList(tenantId));

  constructor(private readonly relay: Relay) {}

  private get nodeId(): string {
    return this.relay.cluster.nodeId;
  }

  add(peer: Peer, tenantId: string, site: { id: string; name: string }, page: Visitor['page'], identity?: VisitorIdentity): string {
    const visitorId = peer.connId;
    const entry: Entry = { tenantId, peer, visitor: { visitorId, siteId: site.id, siteName: site.name, identity, page, since: Date.now(), inSession: false } };
    this.visitors.set(visitorId, entry);
    this.publish(entry);
    return visitorId;
  }

  /** A visitor here: changed now. A visitor on another node: `inSession` is sent to its node. */
  update(visitorId: string, patch: { identity?: VisitorIdentity; page?: Visitor['page']; inSession?: boolean }): void {
    const entry = this.visitors.get(visitorId);
    if (!entry) {
      const node = this.remotePresence.get(visitorId);
      if (node && patch.inSession !== undefined) this.deliver(node, { t: 'visitor_update', visitorId, inSession: patch.inSession });
      if (patch.inSession === false) this.remotePresence.delete(visitorId);
      return;
    }
    if (patch.identity) entry.visitor.identity = patch.identity;
    if (patch.page) entry.visitor.page = patch.page;
    if (patch.inSession !== undefined) entry.visitor.inSession = patch.inSession;
    this.publish(entry);
  }

  remove(visitorId: string): void {
    const entry = this.visitors.get(visitorId);
    if (!entry) return;
    this.visitors.delete(visitorId);
    for (const [id, r] of this.incoming) if (r.visitorId === visitorId) this.incoming.delete(id);
    this.relay.cluster.state.remove('visitors', entry.tenantId, visitorId);
  }

  private publish(entry: Entry): void {
    this.relay.cluster.state.put('visitors', entry.tenantId, entry.visitor.visitorId, JSON.stringify(entry.visitor));
  }

  /** Every node's visitors of the tenant, with the node each is on. */
  private async listWithNodes(tenantId: string): Promise<Array<{ node: string; visitor: Visitor }>> {
    const rows = await this.relay.cluster.state.read('visitors', tenantId);
    return rows.map((row) => ({ node: row.node, visitor: JSON.parse(row.value) as Visitor })).sort((a, b) => a.visitor.since - b.visitor.since);
  }

  /** The tenant's visitors on every node of the cluster, oldest first. */
  async list(tenantId: string): Promise<Visitor[]> {
    return (await this.listWithNodes(tenantId)).map((v) => v.visitor);
  }

  watch(agent: Peer, tenantId: string): void {
    if (!this.listening) {
      this.listening = true;
      this.relay.cluster.state.onChange('visitors', (tenant) => {
        if ([...this.watchers.values()].includes(tenant)) this.refresh(tenant);
      });
    }
    this.watchers.set(agent, tenantId);
    this.refresh(tenantId);
  }

  unwatch(agent: Peer): void {
    this.watchers.delete(agent);
    for (const [id, r] of this.outgoing) if (r.agent === agent) this.outgoing.delete(id);
  }

  private async pushList(tenantId: string): Promise<void> {
    const visitors = await this.list(tenantId);
    for (const [agent, t] of this.watchers) if (t === tenantId) agent.sendMessage({ type: 'visitors', visitors });
  }

  /** Asks a visitor of the agent's tenant, on any node, to co-browse; null when there is no such visitor. */
  async request(visitorId: string, tenantId: string, agent: Peer, agentName: string, company: string, onSession: Outgoing['onSession']): Promise<string | null> {
    const local = this.visitors.get(visitorId);
    const node = local ? (local.tenantId === tenantId ? this.nodeId : null) : ((await this.listWithNodes(tenantId)).find((v) => v.visitor.visitorId === visitorId)?.node ?? null);
    if (!node || agent.closed) return null;
    const now = Date.now();
    this.prune(now);
    const requestId = newId('req');
    const expiresAt = now + REQUEST_TTL_MS;
    this.outgoing.set(requestId, { visitorId, agent, onSession, expiresAt });
    const record: RequestRecord = { visitorId, visitorNode: node, tenantId, agentNode: this.nodeId, expiresAt };
    await this.relay.cluster.bus.setValue(`sp:request:${requestId}`, JSON.stringify(record), REQUEST_TTL_MS);
    this.deliver(node, { t: 'cobrowse_ask', requestId, visitorId, agentNode: this.nodeId, agentName, company });
    return requestId;
  }

  /** The visitor answered on its presence socket (on this node). */
  answer(visitorPeer: Peer, requestId: string, accepted: boolean): boolean {
    const request = this.incoming.get(requestId);
    if (!request || request.visitorId !== visitorPeer.connId || request.expiresAt < Date.now()) return false;
    this.incoming.delete(requestId);
    // Written at once, in this turn: the tab's session_start (to any node) comes after its answer.
    const { bus } = this.relay.cluster;
    if (accepted) void bus.setValue(`sp:request-accepted:${requestId}`, '1', Math.max(1, request.expiresAt - Date.now())).catch(() => undefined);
    else void bus.deleteValue(`sp:request:${requestId}`).catch(() => undefined);
    this.deliver(request.agentNode, { t: 'cobrowse_answered', requestId, visitorId: request.visitorId, accepted });
    return true;
  }

  /** A session was started for an accepted request: hand it to the requesting agent once. */
  async claim(requestId: string | undefined, tenantId: string): Promise<ClaimedRequest | null> {
    if (!requestId) return null;
    const { bus } = this.relay.cluster;
    const [raw, accepted] = await Promise.all([bus.getValue(`sp:request:${requestId}`), bus.getValue(`sp:request-accepted:${requestId}`)]);
    const record = raw ? (JSON.parse(raw) as RequestRecord) : null;
    if (!record || accepted === null || record.tenantId !== tenantId || record.expiresAt < Date.now()) return null;
    if (!(await bus.setIfAbsent(`sp:request-claimed:${requestId}`, this.nodeId, REQUEST_TTL_MS))) return null;
    void bus.deleteValue(`sp:request:${requestId}`).catch(() => undefined);
    const home = this.nodeId;
    return { requestId, visitorId: record.visitorId, visitorNode: record.visitorNode, onSession: (sessionId) => this.deliver(record.agentNode, { t: 'cobrowse_session', requestId, sessionId, home }) };
  }

  /**
   * Shows the customer's presence as in `session`: the tab that accepted `request`, or else every
   * tab, on any node, of the visitor the customer identified as (`Samepage.identify`).
   */
  markInSession(session: LiveSession, request: ClaimedRequest | null): void {
    const identityId = session.visitor?.id;
    const found = request
      ? Promise.resolve([{ node: request.visitorNode, id: request.visitorId }])
      : identityId
        ? this.listWithNodes(session.tenantId).then((all) => all.filter((v) => v.visitor.identity?.id === identityId).map((v) => ({ node: v.node, id: v.visitor.visitorId })))
        : Promise.resolve([]);
    void found
      .then((tabs) => {
        if (session.ended) return;
        for (const { node, id } of tabs) {
          session.presenceIds.add(id);
          if (node !== this.nodeId) this.remotePresence.set(id, node);
          this.update(id, { inSession: true });
        }
        // In the session record, so that a node that takes the session over can clear the marks.
        if (tabs.length > 0) this.relay.clusterRouter.save(session);
      })
      .catch((err: unknown) => session.log.warn({ err }, 'could not mark the visitor as in a session'));
  }

  /** The tabs shown as in `session`, with their nodes, for its session record. */
  presenceOf(session: LiveSession): Array<{ id: string; node: string }> {
    return [...session.presenceIds].map((id) => ({ id, node: this.visitors.has(id) ? this.nodeId : (this.remotePresence.get(id) ?? this.nodeId) }));
  }

  /** This node took `session` over: the tabs its old home marked as in it are now this node's to clear when it ends. */
  carryOver(session: LiveSession, presence: ReadonlyArray<{ id: string; node: string }>): void {
    for (const { id, node } of presence) {
      session.presenceIds.add(id);
      if (node !== this.nodeId) this.remotePresence.set(id, node);
    }
  }

  /** A session this node did not hold ended (its home is gone): its tabs, on any node, are no longer shown as in it. */
  clearMarks(presence: ReadonlyArray<{ id: string; node: string }>): void {
    for (const { id, node } of presence) this.deliver(node, { t: 'visitor_update', visitorId: id, inSession: false });
  }

  /** Co-browse requests and presence updates from other nodes (and from this one, the same way). */
  onEnvelope(e: VisitorEnvelope): void {
    switch (e.t) {
      case 'cobrowse_ask': {
        const entry = this.visitors.get(e.visitorId);
        if (!entry) return this.deliver(e.agentNode, { t: 'cobrowse_answered', requestId: e.requestId, visitorId: e.visitorId, accepted: false, gone: true });
        this.incoming.set(e.requestId, { visitorId: e.visitorId, agentNode: e.agentNode, expiresAt: Date.now() + REQUEST_TTL_MS });
        entry.peer.sendMessage({ type: 'cobrowse_requested', requestId: e.requestId, agentName: e.agentName, company: e.company });
        return;
      }
      case 'cobrowse_answered': {
        const request = this.outgoing.get(e.requestId);
        if (!request) return;
        if (!e.accepted) this.outgoing.delete(e.requestId);
        if (e.gone) return request.agent.fail('not_found', 'That visitor has left.');
        request.agent.sendMessage({ type: 'cobrowse_answered', requestId: e.requestId, visitorId: e.visitorId, accepted: e.accepted });
        return;
      }
      case 'cobrowse_session': {
        const request = this.outgoing.get(e.requestId);
        this.outgoing.delete(e.requestId);
        if (request && !request.agent.closed) request.onSession(e.sessionId, e.home);
        return;
      }
      case 'visitor_update':
        if (this.visitors.has(e.visitorId)) this.update(e.visitorId, { inSession: e.inSession });
        return;
    }
  }

  private deliver(node: string, envelope: VisitorEnvelope): void {
    if (node === this.nodeId) this.onEnvelope(envelope);
    else this.relay.cluster.send(node, envelope);
  }

  private prune(now: number): void {
    for (const [id, r] of this.outgoing) if (r.expiresAt < now) this.outgoing.delete(id);
    for (const [id, r] of this.incoming) if (r.expiresAt < now) this.incoming.delete(id);
  }
}

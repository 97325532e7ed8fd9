import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { ClientMessage, ClientMessageOf, SitePolicyPublic } from '@samepage/protocol';
import { newId, newSecret, safeEqual } from '../ids.ts';
import { isOriginAllowed } from '../http/origin.ts';
import type { SiteRecord } from '../store.ts';
import { isCollabMessage } from './collab-router.ts';
import { LiveSession } from './live-session.ts';
import type { Peer } from './peer.ts';
import type { MessageHandler, Relay } from './relay.ts';
import type { ClaimedRequest } from './visitor-registry.ts';
import { assertNever } from './session-state.ts';
import { isE2eeFrame, routeE2eeFrame, storeRecordingKey } from './e2ee-router.ts';
import { NO_PLACE } from './cluster-router.ts';

/** Sends a DOM frame to every viewer: directly to local sockets, once per other node over the bus. */
function broadcastFrame(relay: Relay, session: LiveSession, frame: Uint8Array): void {
  let remote: Map<string, string[]> | null = null;
  for (const member of session.members.values()) {
    const node = member.peer.remoteNode;
    if (!node) member.peer.sendFrame(frame);
    else {
      remote ??= new Map();
      const conns = remote.get(node) ?? [];
      conns.push(member.peer.connId);
      remote.set(node, conns);
    }
  }
  if (remote) for (const [node, conns] of remote) relay.cluster.sendFrame(node, conns, frame);
}

/** The customer's tab: authenticated by site key and Origin; owns at most one session. */
export class HostHandler implements MessageHandler {
  private site: SiteRecord | null = null;
  private policy: SitePolicyPublic | null = null;
  private session: LiveSession | null = null;
  private hello: ClientMessageOf<'host_hello'> | null = null;
  private pending: ClientMessage[] | null = [];
  private frameQueue: Uint8Array[] = [];
  private starting = false;

  constructor(
    private readonly relay: Relay,
    private readonly peer: Peer,
    private readonly req: IncomingMessage,
    private log: Logger,
  ) {}

  start(hello: ClientMessageOf<'host_hello'>): void {
    this.hello = hello;
    this.verify(hello).catch((err: unknown) => {
      this.log.error({ err }, 'host hello failed');
      this.peer.fail('database_unavailable');
      this.peer.close(1013, 'database_unavailable');
    });
  }

  private async verify(hello: ClientMessageOf<'host_hello'>): Promise<void> {
    const site = await this.relay.deps.store.findSiteByKey(hello.siteKey);
    if (!site) return this.peer.fail('unknown_site_key');
    if (!isOriginAllowed(this.peer.origin, site.allowedOrigins, this.req, this.relay.deps.config.trustProxy)) return this.peer.fail('origin_not_allowed');
    if (site.policy.e2ee && hello.e2ee !== true) return this.peer.fail('e2ee_required');
    this.site = site;
    this.policy = await this.relay.publicPolicy(site, this.peer);
    this.log = this.log.child({ tenantId: site.tenantId, siteId: site.id });
    if (hello.resume) {
      const local = this.relay.sessions.get(hello.resume.sessionId);
      const session = local ?? (await this.relay.clusterRouter.takeOver(hello.resume, site, this.peer));
      if (session === NO_PLACE) return this.refuseResume(site);
      if (!session || session.ended || session.tenantId !== site.tenantId || !safeEqual(session.resumeToken, hello.resume.token)) {
        return this.peer.fail('session_ended', 'This session has ended; start a new one.');
      }
      this.resume(session, hello);
      if (!local) session.announceControl('reset');
    } else {
      this.peer.sendMessage({ type: 'welcome', v: 1, connId: this.peer.connId, redaction: site.redaction, policy: this.policy });
    }
    const queued = this.pending ?? [];
    this.pending = null;
    for (const m of queued) this.onMessage(m);
    for (const f of this.frameQueue.splice(0)) this.onBinary(f);
  }

  /**
   * The session could not continue on this node: its old home gave its place of the capacity plan
   * back (a clean stop) and the plan is full. It has been ended for everyone (takeOver); the
   * customer's widget is told why, then the usual error.
   */
  private refuseResume(site: SiteRecord): void {
    this.peer.sendMessage({ type: 'session_ended', endedBy: 'system', reason: NO_PLACE });
    this.peer.fail('capacity_reached', 'All the sessions of the plan are in use: this session could not continue and has ended.');
    this.relay.notifyAgents(site.tenantId, { type: 'notice', code: 'capacity_reached', message: `A customer on ${site.name} could not resume a session: all the sessions of the plan are in use.` });
  }

  private resume(session: LiveSession, hello: ClientMessageOf<'host_hello'>): void {
    this.attach(session);
    session.page = hello.page;
    if (hello.visitor) session.visitor = hello.visitor;
    const replaced = session.host;
    session.host = this.peer;
    if (replaced && replaced !== this.peer) replaced.close(4409, 'replaced');
    session.apply({ type: 'host_resumed' });
    session.clearGrace();
    this.peer.sendMessage({
      type: 'welcome',
      v: 1,
      connId: this.peer.connId,
      redaction: this.site?.redaction,
      policy: this.policy ?? undefined,
      resumed: { sessionId: session.id, participants: session.participants(), nextEpoch: Math.max(session.cache.currentEpoch, session.e2ee?.gate.epoch ?? -1) + 1, nextSeq: session.cache.nextSeq },
    });
    this.peer.sendMessage({ type: 'control_state', ...session.control.snapshot(), reason: 'resumed' });
    session.sendHostStatus();
    this.relay.clusterRouter.save(session);
    this.log.info('host resumed');
  }

  private attach(session: LiveSession): void {
    this.session = session;
    this.log = this.log.child({ sessionId: session.id });
  }

  onMessage(message: ClientMessage): void {
    if (this.pending) {
      if (this.pending.length >= 16) return this.peer.fail('unexpected_message', 'Too many messages before the hello was answered.');
      this.pending.push(message);
      return;
    }
    if (isCollabMessage(message)) {
      if (!this.session || this.session.ended) return this.peer.fail('unexpected_message', 'Start a session first.');
      this.relay.collab.handle(this.session, { kind: 'host', peer: this.peer }, message);
      return;
    }
    switch (message.type) {
      case 'session_start':
        return this.startSession(message.requestId);
      case 'session_end':
        if (!this.session) return this.peer.fail('unexpected_message', 'There is no session to end.');
        this.session.apply({ type: 'host_stopped' });
        return;
      case 'host_unload':
        if (this.session?.apply({ type: 'host_unloading' })) this.session.sendHostStatus();
        return;
      case 'host_visibility': {
        const uiChanged = this.session !== undefined && this.session !== null && message.ui !== undefined && message.ui.join() !== this.session.hostUi?.join();
        if (uiChanged) this.session!.hostUi = message.ui;
        if (this.session?.apply({ type: 'host_visibility', visible: message.visible, idle: message.idle }) || uiChanged) this.session?.sendHostStatus();
        return;
      }
      case 'host_page':
        if (!this.session || this.session.ended) return;
        if (this.session.page.url === message.page.url && this.session.page.title === message.page.title) return;
        this.session.page = message.page;
        this.session.sendHostStatus();
        this.relay.clusterRouter.save(this.session);
        return;
      case 'e2ee_recording_key':
        return storeRecordingKey(this.relay, this.session, this.peer, message.epoch, message.wrapped);
      case 'host_hello':
      case 'agent_hello':
      case 'guest_hello':
      case 'visitor_hello':
      case 'visitor_update':
      case 'join':
      case 'join_session':
      case 'leave':
      case 'keyframe_request':
      case 'visitors_subscribe':
      case 'cobrowse_request':
      case 'cobrowse_answer':
        return this.peer.fail('unexpected_message', `A customer's tab may not send ${message.type}.`);
      default:
        return assertNever(message);
    }
  }

  private startSession(requestId: string | undefined): void {
    const site = this.site;
    const policy = this.policy;
    if (!site || !policy) return;
    if (this.session || this.starting) return this.peer.fail('unexpected_message', 'A session is already running on this connection.');
    this.starting = true;
    // An accepted co-browse request waits on the bus: the agent and the visitor may be on other nodes.
    this.relay.visitors
      .claim(requestId, site.tenantId)
      .then((request) => {
        if (requestId && !request) return this.peer.fail('not_found', 'That request has expired; ask the agent to send it again.');
        if (!request && !site.policy.allowCustomerStart) return this.peer.fail('permission_denied', 'On this site an agent starts the session; ask them to send you a request.');
        return this.checkPlanAndCreate(site, policy, request);
      })
      .catch((err: unknown) => {
        this.log.error({ err }, 'could not start the session');
        this.peer.fail('database_unavailable');
      })
      .finally(() => (this.starting = false));
  }

  private async checkPlanAndCreate(site: SiteRecord, policy: SitePolicyPublic, request: ClaimedRequest | null): Promise<void> {
    const plan = await this.relay.deps.tenants.getPlan(site.tenantId);
    if (this.session || this.peer.closed) return;
    const { store, config } = this.relay.deps;
    const id = newId('ses');
    const session = new LiveSession(id, site.tenantId, site.id, newSecret(24), this.peer, config.maxSessionCacheBytes, policy, store, this.log.child({ sessionId: id }), (s) => this.relay.forget(s));
    session.visitor = this.hello?.visitor;
    session.controlRoles = site.policy.controlRoles;
    session.page = this.hello?.page ?? session.page;
    // Counted on every node of the cluster (the usage's daily peak). A capacity plan's place is
    // taken, not just counted: atomically on the bus, so two nodes cannot both take the last one.
    const limit = plan.kind === 'capacity' ? plan.limit : null;
    const live = limit !== null ? await this.relay.clusterRouter.reserve(session, limit) : (await this.relay.liveSessionCount(site.tenantId)) + 1;
    if (live === null) {
      this.peer.fail('capacity_reached');
      this.relay.notifyAgents(site.tenantId, { type: 'notice', code: 'capacity_reached', message: `A customer on ${site.name} could not start a session: all ${limit} sessions of the plan are in use.` });
      void this.relay.deps.store.audit(site.tenantId, { type: 'customer', id: null }, 'session.refused_capacity', null, { siteId: site.id, limit });
      return;
    }
    const created = await this.createSession(session, site, request).finally(() => {
      // Not started after all (the tab left meanwhile, or the code could not be issued): the place goes back.
      if (!this.relay.sessions.has(id)) this.relay.cluster.state.removeField('live', id);
    });
    if (created) this.relay.deps.tenants.recordSessionStarted(site.tenantId, live).catch((err: unknown) => this.log.error({ err }, 'could not record usage'));
  }

  private async createSession(session: LiveSession, site: SiteRecord, request: ClaimedRequest | null): Promise<boolean> {
    if (this.session || this.peer.closed) return false;
    const id = session.id;
    const { code, expiresAt } = await this.relay.codes.issue(id, site.tenantId);
    if (this.session || this.peer.closed) return false;
    const { store } = this.relay.deps;
    this.relay.sessions.set(id, session);
    session.holdEnd = (end) => this.relay.cluster.holdBack(id, 'end', end);
    this.attach(session);
    this.relay.clusterRouter.save(session);
    this.peer.sendMessage({ type: 'session_created', sessionId: id, code, expiresAt, resumeToken: session.resumeToken });
    this.log.info({ viaRequest: !!request }, 'session started');
    store.recordSessionStart({ id, tenantId: site.tenantId, siteId: site.id, visitor: session.visitor, e2ee: session.e2ee !== null }).catch((err: unknown) => this.log.error({ err }, 'could not record session start'));
    store.audit(site.tenantId, { type: 'customer', id: null }, 'session.start', id, { siteId: site.id, viaRequest: !!request }).catch((err: unknown) => this.log.error({ err }, 'could not audit'));
    this.relay.events.emit(site.tenantId, 'session.started', { sessionId: id, siteId: site.id, startedAt: session.startedAt, page: session.page, visitor: session.visitor ?? null });
    request?.onSession?.(id);
    // Agents' visitor lists show this tab as in a session: the requesting tab, or the same identified visitor.
    this.relay.visitors.markInSession(session, request);
    return true;
  }

  onBinary(frame: Uint8Array): void {
    if (this.pending) {
      if (this.frameQueue.length >= 64) return this.peer.fail('unexpected_message', 'Too many frames before the hello was answered.');
      this.frameQueue.push(frame);
      return;
    }
    const session = this.session;
    if (!session || session.ended) return this.peer.fail('unexpected_message', 'Start a session before sending DOM frames.');
    if (session.host !== this.peer) return;
    if (session.e2ee || isE2eeFrame(frame)) {
      if (!session.e2ee) return this.peer.fail('e2ee_not_enabled');
      if (!isE2eeFrame(frame)) return this.peer.fail('e2ee_plaintext_refused', 'This session is end-to-end encrypted: plaintext DOM frames are refused.');
      return routeE2eeFrame(this.relay, session, { kind: 'host', peer: this.peer }, frame);
    }
    const verdict = session.cache.accept(frame);
    if (!verdict.ok) return this.peer.fail('bad_frame', verdict.reason);
    broadcastFrame(this.relay, session, frame);
    session.recorder?.append(frame, verdict.header.seq);
    if (verdict.overBudget) this.peer.sendMessage({ type: 'keyframe_needed', reason: 'cache_full' });
  }

  onClose(): void {
    const session = this.session;
    if (!session || session.ended || session.host !== this.peer) return;
    session.host = null;
    const unloading = session.state.awayReason === 'unloading';
    session.apply({ type: 'host_dropped' });
    session.sendHostStatus();
    const { config } = this.relay.deps;
    session.startGrace(unloading ? config.hostUnloadGraceMs : config.hostResumeGraceMs);
    // Shown as reconnecting on the live-sessions list of every node (a page load is not).
    if (!unloading) this.relay.clusterRouter.save(session);
    this.log.info({ unloading }, 'host disconnected; waiting for resume');
  }
}

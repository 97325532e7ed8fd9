import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket as WsSocket } from 'ws';
import type { Logger } from 'pino';
import { ERRORS, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, decodeClientMessage, encodeMessage, type ClientMessage } from '@samepage/protocol';
import type { Config } from '../config.ts';
import type { SiteRecord, Store, UserRecord } from '../store.ts';
import type { CollabStore } from '../collab-store.ts';
import { siteThemeSchema, type SitePolicyPublic } from '@samepage/protocol';
import * as v from 'valibot';
import { CollabRouter } from './collab-router.ts';
import { GuestHandler } from './guest-handler.ts';
import { GuestInvites } from './guest-invites.ts';
import { VisitorHandler } from './visitor-handler.ts';
import { VisitorRegistry } from './visitor-registry.ts';
import { AgentAvailability, ObservedSet } from './agent-availability.ts';
import { newId } from '../ids.ts';
import { CodeBook } from './code-book.ts';
import { Peer, type PeerSocket } from './peer.ts';
import { HostHandler } from './host-handler.ts';
import { AgentHandler } from './agent-handler.ts';
import type { LiveSession } from './live-session.ts';
import { NO_EVENTS, type EventSink } from './events.ts';
import { RateLimiter } from '../rate-limiter.ts';
import { createRecordingKeyStore } from '../recording-key-store.ts';
import type { Bus } from '../cluster/bus.ts';
import { Cluster } from '../cluster/cluster.ts';
import { ClusterRouter } from './cluster-router.ts';
import { RelayFlowStats, type ViewerFlowOptions } from './flow.ts';
import { isSameOrigin, requestHost, requestIp, requestProtocol } from '../http/origin.ts';

export interface RelayDeps {
  config: Config;
  store: Store;
  collab: CollabStore;
  tenants: import('../tenant-store.ts').TenantStore;
  log: Logger;
  /** In-process for one node, Redis for several: codes, session records and node-to-node messages. */
  bus: Bus;
  /** Resolves the console's login cookie to a user, or null. */
  authenticate(req: IncomingMessage): Promise<UserRecord | null>;
  /** Where session events go (webhooks); nowhere by default. */
  events?: EventSink;
}

/** What a connection does with each message once its hello has been accepted. */
export interface MessageHandler {
  onMessage(message: ClientMessage): void;
  onBinary(frame: Uint8Array): void;
  onClose(): void;
}

/** What `accept` needs of a connection: a ws WebSocket, or an HTTP stream (http/stream-transport.ts). */
export interface RelaySocket extends PeerSocket {
  on(event: 'message', listener: (data: RawData, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** The WebSocket relay: accepts hosts and agents on /ws and routes between them. */
/** The site's widget theme, if its policy holds a valid one (set by the console; optional). */
export function siteTheme(site: SiteRecord): Pick<SitePolicyPublic, 'theme'> {
  const theme = (site.policy as { theme?: unknown }).theme;
  if (theme === undefined) return {};
  const parsed = v.safeParse(siteThemeSchema, theme);
  return parsed.success ? { theme: parsed.output } : {};
}

export class Relay {
  readonly sessions = new Map<string, LiveSession>();
  readonly codes: CodeBook;
  readonly joinLimiter: RateLimiter;
  readonly collab = new CollabRouter(this);
  /** Visitors and co-browse requests of every node (visitor-registry.ts). */
  readonly visitors = new VisitorRegistry(this);
  /** Guest links, on the bus so they open on any node. */
  readonly guestInvites: GuestInvites;
  /** Consoles connected to this node; a change tells the tenant's visitors whether anyone is online. */
  readonly agents: Set<AgentHandler> = new ObservedSet<AgentHandler>((agent) => this.availability?.changed(agent.user.tenantId));
  readonly availability: AgentAvailability;
  readonly cluster: Cluster;
  readonly clusterRouter: ClusterRouter;
  /** Traffic and backpressure counters (GET /metrics). */
  readonly flow = new RelayFlowStats();
  private readonly tenantNames = new Map<string, string>();
  private readonly wss: WebSocketServer;
  private readonly keepalive: NodeJS.Timeout;
  private readonly alive = new WeakSet<WsSocket>();
  private lastPingAt = Date.now();

  /**
   * A socket that did not answer the last ping is dead (a silent network drop never closes a
   * TCP connection by itself): terminating it starts the customer's resume grace period.
   */
  private pingAll(): void {
    // A round late by more than a round: this process was stalled (event loop blocked, paused),
    // and the pongs may be waiting unread. No socket is judged on it.
    const now = Date.now();
    const late = now - this.lastPingAt > 2 * this.deps.config.pingIntervalMs;
    this.lastPingAt = now;
    for (const ws of this.wss.clients) {
      if (!this.alive.has(ws) && !late) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }
  }

  constructor(readonly deps: RelayDeps) {
    this.codes = new CodeBook(deps.bus, deps.config.codeTtlMs);
    this.cluster = new Cluster(deps.bus, deps.log, { resumeGraceMs: deps.config.hostResumeGraceMs });
    this.clusterRouter = new ClusterRouter(this);
    this.guestInvites = new GuestInvites(deps.bus);
    this.availability = new AgentAvailability({ state: this.cluster.state, agentTenants: () => [...this.agents].map((a) => a.user.tenantId) });
    this.joinLimiter = new RateLimiter(deps.config.joinAttemptsPerMinute, 60_000);
    // ws refuses anything past maxPayload with 1009; frames between our limit and that get 4413.
    // Text that is not UTF-8 reaches the decoder (and gets bad_frame, 4400) instead of ws's
    // undocumented 1007, so every bad frame has a close code from docs/ERRORS.md.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.config.maxFrameBytes + 1024 * 1024, perMessageDeflate: false, skipUTF8Validation: true });
    this.keepalive = setInterval(() => this.pingAll(), deps.config.pingIntervalMs);
    this.keepalive.unref();
  }

  /** Joins the cluster (subscribes this node's channel, starts its heartbeat). */
  start(): Promise<void> {
    return this.clusterRouter.start();
  }

  /** Open WebSockets on this node. */
  get socketCount(): number {
    return this.wss.clients.size;
  }

  /** A viewer's bounded send queue in `session`; a resync sends the late-join cache. */
  viewerFlow(session: LiveSession, peer: Peer): ViewerFlowOptions {
    return {
      maxBufferedBytes: this.deps.config.viewerMaxBufferedBytes,
      stats: this.flow,
      session: session.flow,
      resync: () => {
        const frames = session.cache.snapshot();
        return frames.length === 0 || session.ended ? null : peer.sendSnapshot(frames);
      },
    };
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      if (this.wss.clients.size > this.deps.config.maxSockets) {
        // Refused gracefully: a documented error, then the close code clients retry on.
        this.flow.socketsRefused += 1;
        const e = ERRORS.server_busy;
        ws.send(encodeMessage({ type: 'error', code: 'server_busy', message: e.message, fatal: e.fatal }));
        ws.close(e.close, 'server_busy');
        return;
      }
      this.accept(ws, req).catch((err: unknown) => {
        this.deps.log.error({ err }, 'connection setup failed');
        ws.close(1011, 'internal');
      });
    });
  }

  /** Runs one connection from its first frame: the WebSocket path, and the HTTP stream fallback. */
  async accept(ws: RelaySocket, req: IncomingMessage): Promise<void> {
    const connId = newId('conn');
    const { tls, trustProxy, publicUrl } = this.deps.config;
    const ip = requestIp(req, trustProxy);
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : null;
    const serverOrigin = publicUrl ?? `${requestProtocol(req, tls !== null, trustProxy)}://${requestHost(req, trustProxy) ?? 'localhost'}`;
    const peer = new Peer(connId, ws, ip, origin, serverOrigin);
    const log = this.deps.log.child({ connId });
    // Queue what arrives while the cookie is being checked, with a hard cap.
    const early: Array<{ data: RawData; isBinary: boolean }> = [];
    let handler: MessageHandler | null = null;
    let user: UserRecord | null = null;
    let ready = false;
    const helloTimer = setTimeout(() => {
      if (!handler) peer.fail('hello_timeout');
    }, this.deps.config.helloTimeoutMs);

    const dispatch = (data: RawData, isBinary: boolean) => {
      try {
        handler = this.dispatch(peer, req, handler, data, isBinary, log, user) ?? handler;
        if (handler) clearTimeout(helloTimer);
      } catch (err) {
        log.error({ err }, 'message handler failed');
        peer.fail('internal');
      }
    };
    ws.on('message', (data, isBinary) => {
      if (!ready) {
        if (early.length >= 16) return peer.fail('unexpected_message', 'Too many messages before the connection was ready.');
        early.push({ data, isBinary });
        return;
      }
      dispatch(data, isBinary);
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      peer.closed = true;
      handler?.onClose();
    });
    ws.on('error', (err) => log.debug({ err }, 'socket error'));

    user = await this.deps.authenticate(req).catch(() => null);
    ready = true;
    for (const m of early.splice(0)) dispatch(m.data, m.isBinary);
  }

  /** Routes one frame. Returns the handler chosen by a hello, if this frame was the hello. */
  private dispatch(peer: Peer, req: IncomingMessage, handler: MessageHandler | null, data: RawData, isBinary: boolean, log: Logger, user: UserRecord | null): MessageHandler | null {
    if (peer.closed) return null;
    const bytes = toBytes(data);
    if (isBinary) {
      if (bytes.byteLength > this.deps.config.maxFrameBytes) return peer.fail('frame_too_large'), null;
      if (!handler) return peer.fail('unexpected_message', 'The first message must be a hello.'), null;
      handler.onBinary(bytes);
      return null;
    }
    if (bytes.byteLength > MAX_MESSAGE_BYTES) return peer.fail('frame_too_large'), null;
    const decoded = decodeClientMessage(Buffer.from(bytes).toString('utf8'));
    if (!decoded.ok) return peer.fail(decoded.code, `${decoded.detail}`), null;
    const message = decoded.value;
    if (handler) {
      if (message.type === 'host_hello' || message.type === 'agent_hello' || message.type === 'guest_hello' || message.type === 'visitor_hello') {
        return peer.fail('unexpected_message', 'Hello was already sent.'), null;
      }
      handler.onMessage(message);
      return null;
    }
    if (message.type !== 'host_hello' && message.type !== 'agent_hello' && message.type !== 'guest_hello' && message.type !== 'visitor_hello') {
      return peer.fail('unexpected_message', 'The first message must be a hello.'), null;
    }
    if (message.v !== PROTOCOL_VERSION) return peer.fail('unsupported_version', `This server speaks protocol ${PROTOCOL_VERSION}; the client sent ${message.v}.`), null;
    if (message.type === 'agent_hello') {
      if (peer.origin && !isSameOrigin(peer.origin, req, this.deps.config.trustProxy)) return peer.fail('origin_not_allowed', 'The console must be opened from this server.'), null;
      if (!user) return peer.fail('unauthorized'), null;
      const agent = new AgentHandler(this, peer, user, log.child({ userId: user.id, tenantId: user.tenantId }));
      agent.e2ee = message.e2ee === true;
      agent.start();
      return agent;
    }
    if (message.type === 'guest_hello') {
      const guest = new GuestHandler(this, peer, log);
      guest.start(message);
      return guest;
    }
    if (message.type === 'visitor_hello') {
      const visitor = new VisitorHandler(this, peer, req, log);
      visitor.start(message);
      return visitor;
    }
    const host = new HostHandler(this, peer, req, log);
    host.start(message);
    return host;
  }

  get events(): EventSink {
    return this.deps.events ?? NO_EVENTS;
  }

  /** A session ended: drop it and everything that pointed at it. */
  forget(session: LiveSession): void {
    const ended = session.state.ended;
    if (ended) {
      this.events.emit(session.tenantId, 'session.ended', { sessionId: session.id, siteId: session.siteId, endedBy: ended.by, reason: ended.reason, startedAt: session.startedAt, endedAt: Date.now() });
    }
    this.sessions.delete(session.id);
    for (const visitorId of session.presenceIds) this.visitors.update(visitorId, { inSession: false });
    this.codes.revokeSession(session.id).catch((err: unknown) => session.log.warn({ err }, 'could not void codes'));
    this.cluster.endSession(session.id);
    this.guestInvites.revokeSession(session.id);
  }

  async companyName(tenantId: string): Promise<string> {
    const cached = this.tenantNames.get(tenantId);
    if (cached) return cached;
    const tenant = await this.deps.store.getTenant(tenantId);
    const name = tenant?.name ?? '';
    this.tenantNames.set(tenantId, name);
    return name;
  }

  /**
   * The parts of a site's policy the customer's tab and the console need. With end-to-end
   * encryption on, sessions are recorded only when the tenant has a recording key to wrap the
   * epoch keys to (the server could not replay the ciphertext otherwise, and must not read it).
   */
  async publicPolicy(site: SiteRecord, _peer: Peer): Promise<SitePolicyPublic> {
    const e2ee = site.policy.e2ee === true;
    const recordingKey = e2ee && site.policy.recordSessions ? await createRecordingKeyStore(this.deps.store.db).getTenantKey(site.tenantId) : null;
    return {
      allowNavigation: site.policy.allowNavigation,
      allowGuests: site.policy.allowGuests && !e2ee,
      recorded: site.policy.recordSessions && (!e2ee || recordingKey !== null),
      e2ee,
      ...(recordingKey ? { recordingKey: recordingKey.publicKey } : {}),
      allowCustomerStart: site.policy.allowCustomerStart,
      navigationOrigins: site.allowedOrigins,
      company: await this.companyName(site.tenantId),
      ...siteTheme(site),
    };
  }

  /** Live sessions of the tenant on every node (the capacity plan counts these). */
  liveSessionCount(tenantId: string): Promise<number> {
    return this.clusterRouter.countLive(tenantId);
  }

  /** To every console of the tenant that is connected. */
  notifyAgents(tenantId: string, message: import('@samepage/protocol').ServerMessage): void {
    for (const agent of this.agents) if (agent.user.tenantId === tenantId) agent.send(message);
  }

  /** Cuts every live socket of a user (disabled account, logout everywhere). */
  disconnectUser(userId: string, reason: 'forbidden' | 'unauthorized'): void {
    this.disconnectLocalUser(userId, reason);
    this.cluster.broadcast({ t: 'disconnect_user', node: this.cluster.nodeId, userId, reason });
  }

  /** The sockets of the user on this node; another node asked for it with `disconnectUser`. */
  disconnectLocalUser(userId: string, reason: 'forbidden' | 'unauthorized'): void {
    for (const agent of [...this.agents]) if (agent.user.id === userId) agent.disconnect(reason);
  }

  async close(): Promise<void> {
    this.clusterRouter.stop();
    await this.cluster.stop();
    clearInterval(this.keepalive);
    this.availability.stop();
    for (const client of this.wss.clients) client.close(1012, 'server_shutting_down');
    this.wss.close();
    await Promise.all([...this.sessions.values()].map((s) => s.recorder?.flush()));
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

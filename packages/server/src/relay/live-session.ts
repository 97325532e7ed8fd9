import type { Participant, ServerMessage } from '@samepage/protocol';
import type { Logger } from 'pino';
import type { Store } from '../store.ts';
import { FrameCache } from './frame-cache.ts';
import type { Peer } from './peer.ts';
import { INITIAL_SESSION_STATE, hostStatus, transition, type SessionEvent, type SessionState } from './session-state.ts';

export interface Viewer {
  participant: Participant;
  peer: Peer;
  userId: string;
}

const COLORS = ['#e11d48', '#2563eb', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#4f46e5'];

/** One live co-browsing session on this node: its host, its viewers and its frame cache. */
export class LiveSession {
  state: SessionState = INITIAL_SESSION_STATE;
  host: Peer | null;
  readonly viewers = new Map<string, Viewer>();
  readonly cache: FrameCache;
  page = { url: '', title: '' };
  private graceTimer: NodeJS.Timeout | null = null;
  private colorIndex = 0;

  constructor(
    readonly id: string,
    readonly tenantId: string,
    readonly siteId: string,
    readonly resumeToken: string,
    host: Peer,
    maxCacheBytes: number,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly onEnded: (session: LiveSession) => void,
  ) {
    this.host = host;
    this.cache = new FrameCache(maxCacheBytes);
  }

  get ended(): boolean {
    return this.state.ended !== null;
  }

  /** Applies a state-machine event; returns false (and changes nothing) when it is not allowed. */
  apply(event: SessionEvent): boolean {
    const result = transition(this.state, event);
    if (!result.ok) {
      this.log.debug({ event: event.type, reason: result.reason }, 'session event refused');
      return false;
    }
    const wasEnded = this.state.ended;
    this.state = result.state;
    if (!wasEnded && this.state.ended) this.finish();
    return true;
  }

  nextColor(): string {
    const color = COLORS[this.colorIndex % COLORS.length] ?? '#2563eb';
    this.colorIndex += 1;
    return color;
  }

  participants(): Participant[] {
    return [...this.viewers.values()].map((v) => v.participant);
  }

  broadcastToViewers(message: ServerMessage, except?: string): void {
    for (const [id, viewer] of this.viewers) if (id !== except) viewer.peer.sendMessage(message);
  }

  sendHostStatus(): void {
    this.broadcastToViewers({ type: 'host_status', status: hostStatus(this.state), page: this.page });
  }

  /** Starts the wait for the host to come back; the session ends if it does not. */
  startGrace(ms: number): void {
    this.clearGrace();
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      this.apply({ type: 'resume_timeout' });
    }, ms);
    this.graceTimer.unref?.();
  }

  clearGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  private finish(): void {
    this.clearGrace();
    const ended = this.state.ended;
    if (!ended) return;
    const message: ServerMessage = { type: 'session_ended', endedBy: ended.by, reason: ended.reason };
    this.broadcastToViewers(message);
    this.host?.sendMessage(message);
    this.host = null;
    this.store.recordSessionEnd(this.tenantId, this.id, ended.by, ended.reason).catch((err: unknown) => this.log.error({ err }, 'could not record session end'));
    this.store
      .audit(this.tenantId, { type: ended.by === 'customer' ? 'customer' : 'system', id: null }, 'session.end', this.id, { endedBy: ended.by, reason: ended.reason })
      .catch((err: unknown) => this.log.error({ err }, 'could not audit session end'));
    this.log.info({ endedBy: ended.by, reason: ended.reason }, 'session ended');
    this.onEnded(this);
  }
}

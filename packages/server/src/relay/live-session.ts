import type { EndedBy, HostUi, Participant, Permission, ServerMessage, ServerMessageOf, SitePolicyPublic, VisitorIdentity } from '@samepage/protocol';
import type { Logger } from 'pino';
import type { Store } from '../store.ts';
import type { SharedBrowserHandle } from '../shared-browser/shared-control.ts';
import { ChatLog } from './chat-log.ts';
import { ControlState } from './control-state.ts';
import { FrameCache } from './frame-cache.ts';
import { E2eeSession } from './e2ee-session.ts';
import { newSessionFlowStats } from './flow.ts';
import { createRecordingStore } from '../recording-store.ts';
import { SessionRecorder } from './session-recorder.ts';
import type { Peer } from './peer.ts';
import { INITIAL_SESSION_STATE, hostStatus, transition, type SessionEvent, type SessionState } from './session-state.ts';

export const HOST_PARTICIPANT_ID = 'host';

/** An agent or a guest in the session; each receives the DOM stream. */
export interface Member {
  participant: Participant;
  peer: Peer;
  userId: string | null;
  /** The role key (agents) or 'guest'; site policy may limit control to some roles. */
  roleKey: string;
  permissions: ReadonlySet<Permission>;
}

const COLORS = ['#e11d48', '#2563eb', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#4f46e5', '#0d9488'];

/** One live co-browsing session on this node: its host, its members, control, chat and frame cache. */
export class LiveSession {
  state: SessionState = INITIAL_SESSION_STATE;
  host: Peer | null;
  readonly members = new Map<string, Member>();
  readonly cache: FrameCache;
  readonly control = new ControlState();
  /** Frames dropped for viewers that fell behind, and their resyncs (flow.ts). */
  readonly flow = newSessionFlowStats();
  chat = new ChatLog();
  /** Chat messages are stored one after another, then shown (see CollabRouter). */
  chatWrites: Promise<void> = Promise.resolve();
  readonly startedAt = Date.now();
  /** Users who have been in the session as agents; they may rejoin by id after a drop. */
  readonly formerAgents = new Set<string>();
  /** Visitor presence ids of the customer's tab, shown as "in a session" to agents. */
  readonly presenceIds = new Set<string>();
  page = { url: '', title: '' };
  /** What the customer's widget shows, as last reported (host_visibility.ui). */
  hostUi: HostUi | undefined;
  visitor: VisitorIdentity | undefined;
  /**
   * Set when the host is a shared browser on this server (shared-browser/): nobody sits at it, so
   * the people in the session decide who controls it (shared-browser/shared-control.ts). Its tabs.
   */
  sharedBrowser: SharedBrowserHandle | null = null;
  /** Role keys allowed to ask for control (site policy); empty means any role with session.control. */
  controlRoles: string[] = [];
  /** Stores the DOM stream when the site's policy records sessions (policy.recorded). */
  readonly recorder: SessionRecorder | null;
  /** Set when the site's policy turns end-to-end encryption on (e2ee-router.ts); null otherwise. */
  readonly e2ee: E2eeSession | null;
  /**
   * Asked before the session ends here: true when this node may not act as the session's home just
   * now (it is back from a stall, and another node may have ended or taken the session meanwhile),
   * and keeps `end` to run if the session is found still its own (Cluster.holdBack).
   */
  holdEnd: (end: () => void) => boolean = () => false;
  private graceTimer: NodeJS.Timeout | null = null;
  private colorIndex = 0;

  constructor(
    readonly id: string,
    readonly tenantId: string,
    readonly siteId: string,
    readonly resumeToken: string,
    host: Peer,
    maxCacheBytes: number,
    readonly policy: SitePolicyPublic,
    private readonly store: Store,
    readonly log: Logger,
    private readonly onEnded: (session: LiveSession) => void,
  ) {
    this.host = host;
    this.e2ee = policy.e2ee ? new E2eeSession(maxCacheBytes) : null;
    this.cache = this.e2ee ? this.e2ee.cache : new FrameCache(maxCacheBytes);
    const owner = { tenantId, sessionId: id, siteId, startedAt: this.startedAt, ...(this.e2ee ? { e2ee: true } : {}) };
    this.recorder = policy.recorded ? new SessionRecorder(createRecordingStore(store.db), owner, log) : null;
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
    if (!wasEnded && result.state.ended && this.holdEnd(() => this.apply(event))) return false;
    this.state = result.state;
    if (!wasEnded && this.state.ended) this.finish();
    return true;
  }

  nextColor(): string {
    const color = COLORS[this.colorIndex % COLORS.length] ?? '#2563eb';
    this.colorIndex += 1;
    return color;
  }

  hostParticipant(): Participant {
    return { id: HOST_PARTICIPANT_ID, name: this.visitor?.name || 'Customer', role: 'host', color: '#16a34a', ...(this.e2ee ? { member: 0 } : {}) };
  }

  participants(): Participant[] {
    return [this.hostParticipant(), ...[...this.members.values()].map((m) => m.participant)];
  }

  participantName(id: string): string {
    if (id === HOST_PARTICIPANT_ID) return this.hostParticipant().name;
    return this.members.get(id)?.participant.name ?? 'Someone';
  }

  /** To every member (agents and guests), except one. */
  toMembers(message: ServerMessage, except?: string): void {
    for (const [id, member] of this.members) if (id !== except) member.peer.sendMessage(message);
  }

  /** To the host and every member, except one participant. */
  toEveryone(message: ServerMessage, except?: string): void {
    this.toMembers(message, except);
    if (except !== HOST_PARTICIPANT_ID) this.host?.sendMessage(message);
  }

  /** What a newcomer gets first. Guests (the customer's friends) do not get the visitor's identity. */
  joinedMessage(participantId: string, forGuest: boolean): ServerMessageOf<'joined'> {
    return {
      type: 'joined',
      sessionId: this.id,
      participantId,
      hostStatus: hostStatus(this.state),
      page: this.page,
      participants: this.participants(),
      control: this.control.snapshot(),
      // Encrypted chat is history for the record only: a newcomer could not read it anyway.
      chat: this.e2ee ? [] : this.chat.all(),
      ...(forGuest ? {} : { visitor: this.visitor }),
      policy: this.policy,
      ...(this.hostUi ? { hostUi: this.hostUi } : {}),
      ...(this.sharedBrowser ? { sharedBrowser: { tabs: this.sharedBrowser.tabs } } : {}),
    };
  }

  sendHostStatus(): void {
    this.toMembers({ type: 'host_status', status: hostStatus(this.state), page: this.page, ...(this.hostUi ? { ui: this.hostUi } : {}) });
  }

  announceControl(reason: string): void {
    this.toEveryone({ type: 'control_state', ...this.control.snapshot(), reason });
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

  /**
   * Another node ended the session while this one could not act as its home (it had stalled):
   * the sockets on this node are told, and nothing is recorded again (that node did it).
   */
  endedElsewhere(by: EndedBy, reason: string): void {
    if (this.ended) return;
    this.clearGrace();
    this.control.revoke();
    this.state = { ...this.state, ended: { by, reason } };
    this.toEveryone({ type: 'session_ended', endedBy: by, reason });
    this.host = null;
    // The frames this node still had are part of the recording; the other node marked it finished.
    void this.recorder?.flush();
    this.log.info({ endedBy: by, reason }, 'session ended by another node while this one had stalled');
  }

  private finish(): void {
    this.clearGrace();
    const ended = this.state.ended;
    if (!ended) return;
    this.control.revoke();
    const message: ServerMessage = { type: 'session_ended', endedBy: ended.by, reason: ended.reason };
    this.toEveryone(message);
    this.host = null;
    void this.recorder?.finish();
    this.store.recordSessionEnd(this.tenantId, this.id, ended.by, ended.reason).catch((err: unknown) => this.log.error({ err }, 'could not record session end'));
    this.store
      .audit(this.tenantId, { type: ended.by === 'customer' ? 'customer' : 'system', id: null }, 'session.end', this.id, { endedBy: ended.by, reason: ended.reason })
      .catch((err: unknown) => this.log.error({ err }, 'could not audit session end'));
    this.log.info({ endedBy: ended.by, reason: ended.reason }, 'session ended');
    this.onEnded(this);
  }
}

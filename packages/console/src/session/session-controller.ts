/**
 * One console's live session, outside React: the socket (with reconnects), the join handshake,
 * the session state the screens render, and the replica fed by the binary frames. Chat, pointers
 * and drawings, and notices live in their own stores so fast updates re-render little.
 */
import {
  PROTOCOL_VERSION,
  SESSION_CODE_PATTERN,
  isFatalClose,
  normalizeSessionCode,
  type ClientMessage,
  type ControlAction,
  type DrawOp,
  type ServerMessage,
} from '@samepage/protocol';
import { t } from '../i18n/index.ts';
import { openAgentSocket, socketUrl, type AgentSocket } from '../socket.ts';
import { ReplicaSession } from '../replica/replica-session.ts';
import { ChatStore } from './chat-store.ts';
import { controlChangeNotice, failureText, ownControl } from './control-text.ts';
import { sharedControlNotice } from './shared-control-text.ts';
import { drawColor } from './drawing-log.ts';
import { NoticeStore } from './notice-store.ts';
import { toolsFor, type Tools } from './permissions.ts';
import { PresenceStore } from './presence-store.ts';
import { initialState, stateAfterSession, type SessionState } from './session-state.ts';
import { Store } from './store.ts';
import { startAgentE2ee, type AgentE2ee } from './e2ee-session.ts';

export type { SessionPhase, SessionState } from './session-state.ts';

/** Delays between reconnect attempts; after the last, the session is given up. */
const RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 8000];

export class SessionController {
  private state: SessionState = initialState;
  private socket: AgentSocket | null = null;
  private welcomed = false;
  private pendingCode: string | null = null;
  private pendingSessionId: string | null = null;
  private guest: { token: string; name?: string } | null = null;
  private wantVisitors = false;
  private reconnectAttempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private actionSeq = 0;
  private readonly listeners = new Set<() => void>();
  replica: ReplicaSession | null = null;
  readonly chat = new ChatStore((message) => this.send(message));
  readonly presence = new PresenceStore();
  readonly notices = new NoticeStore();
  /** End-to-end encrypted sessions: this console's keys and pairing (e2ee-agent.ts); null otherwise. */
  readonly e2ee = new Store<AgentE2ee | null>(null);

  getState = (): SessionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  tools(): Tools {
    return toolsFor(this.state.viewer, this.state.policy, this.state.sharedBrowser !== null);
  }

  /** Opens the socket without joining (the home screen's live lists need it). */
  ensureConnected(): void {
    if (!this.socket && !this.reconnectTimer) this.connect();
  }

  /** Joins with a code as typed by the agent (`123 456`, `123-456` or `123456`). */
  join(input: string): void {
    const code = normalizeSessionCode(input.trim());
    if (!SESSION_CODE_PATTERN.test(code)) {
      this.setState({ joinError: t.codeFormat });
      return;
    }
    this.startJoin(() => ({ type: 'join', code }), () => (this.pendingCode = code));
  }

  /** A supervisor joins a live session by id (needs `session.join_any`). */
  joinSession(sessionId: string): void {
    this.startJoin(() => ({ type: 'join_session', sessionId }), () => (this.pendingSessionId = sessionId));
  }

  /** A friend of the customer watches with a view-only link; no login. */
  watch(token: string, name: string): void {
    if (this.state.phase !== 'idle') return;
    this.guest = { token, name: name.trim() || undefined };
    this.setState({ phase: 'connecting', joinError: null });
    this.connect();
  }

  /** Leaves the session (the customer's session goes on) and closes the socket. */
  leave(): void {
    this.send({ type: 'leave' });
    this.closeSocket();
    this.resetSession();
    this.setState(stateAfterSession(this.state));
  }

  /** Back to the home screen after a session ended. */
  dismiss(): void {
    if (this.state.phase === 'ended') {
      this.resetSession();
      this.setState(stateAfterSession(this.state));
    }
  }

  /** Sends the agent's pointer in the customer's document coordinates; null hides it. */
  sendPointer(x: number | null, y: number | null): void {
    if (this.state.phase !== 'live' || !this.tools().point) return;
    this.send({ type: 'pointer', x: x === null ? null : Math.round(x), y: y === null ? null : Math.round(y) });
  }

  /** Draws locally at once and sends the op to the others. */
  sendDraw(op: DrawOp): void {
    if (this.state.phase !== 'live' || !this.tools().draw || !this.state.participantId) return;
    this.presence.draw(this.state.participantId, this.ownColor(), op);
    this.send({ type: 'draw', op });
  }

  ownColor(): string {
    return drawColor(this.state.participants.find((p) => p.id === this.state.participantId)?.color);
  }

  requestControl(): void {
    const { control, participantId, phase } = this.state;
    if (phase !== 'live' || !this.tools().control || ownControl(control, participantId) !== 'none' || !participantId) return;
    this.send({ type: 'control_request' });
    this.setState({ control: { ...control, pending: [...control.pending, participantId] } });
  }

  releaseControl(): void {
    if (ownControl(this.state.control, this.state.participantId) !== 'in_control') return;
    this.send({ type: 'control_release' });
  }

  /** Shared browser: an agent hands control to the customer (a guest), asked for or not. */
  handControl(participantId: string): void {
    if (this.state.phase === 'live' && this.state.sharedBrowser && this.tools().control) this.send({ type: 'control_grant', participantId });
  }

  /** Shared browser: an agent turns down the customer's request for control. */
  denyControl(participantId: string): void {
    if (this.state.phase === 'live' && this.state.sharedBrowser && this.tools().control) this.send({ type: 'control_deny', participantId });
  }

  /** Shared browser: streams another tab (a control action, so only for whoever is in control). */
  selectTab(index: number): void {
    if (this.state.sharedBrowser) this.sendAction({ kind: 'tab', index });
  }

  /** Sends an action on the customer's tab; only while this agent is in control. */
  sendAction(action: ControlAction): void {
    if (ownControl(this.state.control, this.state.participantId) !== 'in_control') return;
    this.send({ type: 'control_action', actionId: ++this.actionSeq, action });
  }

  sendTyping(typing: boolean): void {
    if (this.state.phase === 'live') this.send({ type: 'chat_typing', typing });
  }

  createInvite(): void {
    if (this.state.phase === 'live' && this.tools().invite) this.send({ type: 'invite_create' });
  }

  /** Asks for the live visitors list now and on every change. */
  subscribeVisitors(): void {
    this.wantVisitors = true;
    if (this.welcomed && this.tools().visitors) this.send({ type: 'visitors_subscribe' });
    else this.ensureConnected();
  }

  requestCobrowse(visitorId: string): void {
    if (!this.tools().visitors) return;
    this.send({ type: 'cobrowse_request', visitorId });
    this.setState({ cobrowse: { visitorId, status: 'waiting' } });
  }

  private startJoin(message: () => ClientMessage, remember: () => void): void {
    if (this.state.phase === 'live' || this.state.phase === 'joining' || this.state.phase === 'connecting') return;
    this.resetSession();
    if (this.socket?.isOpen() && this.welcomed) {
      this.setState({ phase: 'joining', joinError: null });
      this.send(message());
      return;
    }
    remember();
    this.setState({ phase: 'connecting', joinError: null });
    if (!this.socket) this.connect();
  }

  private send(message: ClientMessage): boolean {
    const e2ee = this.e2ee.get();
    // Under end-to-end encryption chat and control go sealed, never in the clear.
    if (e2ee && message.type === 'chat_send') return e2ee.sendChat(message.clientId, message.text);
    if (e2ee && message.type === 'control_action') return e2ee.sendAction(message.actionId, message.action);
    if (!this.socket?.isOpen()) return false;
    this.socket.send(message);
    return true;
  }

  private connect(): void {
    this.closeSocket();
    const socket = openAgentSocket(socketUrl(window.location), {
      onOpen: () => {
        const guest = this.guest;
        socket.send(guest ? { type: 'guest_hello', v: PROTOCOL_VERSION, token: guest.token, name: guest.name } : { type: 'agent_hello', v: PROTOCOL_VERSION, e2ee: true });
      },
      onMessage: (message) => this.handleMessage(message),
      onFrame: (frame) => {
        const e2ee = this.e2ee.get();
        if (e2ee) e2ee.receive(frame);
        else this.replica?.receiveFrame(frame);
      },
      onClose: (code) => this.handleClose(code),
    });
    this.socket = socket;
  }

  private handleWelcome(message: Extract<ServerMessage, { type: 'welcome' }>): void {
    this.welcomed = true;
    this.reconnectAttempt = 0;
    const viewer = message.guest ? ({ kind: 'guest' } as const) : message.user ? ({ kind: 'agent', permissions: message.user.permissions } as const) : this.state.viewer;
    this.setState({ viewer });
    if (this.guest) return; // the server follows a guest's welcome with `joined`
    if (this.state.reconnecting && this.state.sessionId) {
      // Back after a network blip: rejoin the same session (the server keeps the seat).
      this.send({ type: 'join_session', sessionId: this.state.sessionId });
    } else if (this.pendingCode) {
      this.send({ type: 'join', code: this.pendingCode });
      this.setState({ phase: 'joining' });
    } else if (this.pendingSessionId) {
      this.send({ type: 'join_session', sessionId: this.pendingSessionId });
      this.setState({ phase: 'joining' });
    }
    this.pendingCode = null;
    this.pendingSessionId = null;
    if (this.wantVisitors && this.tools().visitors) this.send({ type: 'visitors_subscribe' });
  }

  private handleJoined(message: Extract<ServerMessage, { type: 'joined' }>): void {
    const rejoin = this.replica !== null && this.state.sessionId === message.sessionId;
    if (!rejoin) {
      this.resetSession();
      this.replica = new ReplicaSession(() => this.send({ type: 'keyframe_request' }));
      if (!this.guest) this.replica.useAssetProxy(message.sessionId);
      this.chat.reset(message.chat ?? []);
    } else if (message.chat) this.chat.receive(message.chat);
    this.replica?.setAllowedOrigins(message.policy?.navigationOrigins ?? []);
    this.setState({
      phase: 'live',
      joinError: null,
      sessionId: message.sessionId,
      participantId: message.participantId,
      participants: message.participants,
      hostStatus: message.hostStatus,
      hostUi: message.hostUi ?? null,
      page: message.page,
      ended: null,
      policy: message.policy ?? null,
      control: message.control ?? { controllerId: null, pending: [] },
      visitor: message.visitor ?? null,
      cobrowse: null,
      reconnecting: false,
      sharedBrowser: message.sharedBrowser ?? null,
    });
    if (message.policy?.e2ee && !this.guest) this.e2ee.set(startAgentE2ee(this, message, this.e2ee.get()));
    this.chat.resync();
  }

  /** What the encrypted session needs from the controller (e2ee-session.ts). */
  e2eeDeps() {
    return {
      sendFrame: (frame: Uint8Array) => this.socket?.sendBinary?.(frame),
      domFrame: (frame: Uint8Array) => this.replica?.receiveFrame(frame),
      chat: (message: Parameters<ChatStore['receive']>[0][number]) => this.chat.receive([message]),
      notice: (text: string) => this.notices.push(text, 'warn'),
      participants: () => this.state.participants,
    };
  }

  private handleMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        return this.handleWelcome(message);
      case 'joined':
        return this.handleJoined(message);
      case 'participant_joined':
        return this.setState({ participants: [...this.state.participants.filter((p) => p.id !== message.participant.id), message.participant] });
      case 'participant_left':
        this.e2ee.get()?.participantLeft(this.state.participants.find((p) => p.id === message.participantId));
        this.presence.removeParticipant(message.participantId);
        this.chat.typingNotice(message.participantId, false);
        return this.setState({ participants: this.state.participants.filter((p) => p.id !== message.participantId) });
      case 'host_status':
        return this.setState({ hostStatus: message.status, page: message.page ?? this.state.page, ...(message.ui ? { hostUi: message.ui } : {}) });
      case 'session_ended':
        this.setState({ phase: 'ended', ended: { endedBy: message.endedBy, reason: message.reason }, reconnecting: false });
        return this.closeSocket();
      case 'error':
        return this.handleError(message.code, message.message, message.fatal);
      case 'control_state': {
        const after = { controllerId: message.controllerId, pending: message.pending };
        const notice = this.state.sharedBrowser
          ? sharedControlNotice(this.state.control, after, message.reason, this.state.participantId, this.state.participants)
          : controlChangeNotice(this.state.control, after, message.reason, this.state.participantId);
        if (notice) this.notices.push(notice, message.reason === 'released' ? 'info' : 'warn');
        return this.setState({ control: after });
      }
      case 'control_result':
        if (!message.ok) this.notices.push(failureText(message.failure, message.message), 'warn');
        return;
      case 'chat_message':
        return this.chat.receive([message.message]);
      case 'chat_history':
        return this.chat.receive(message.messages);
      case 'chat_typing':
        return this.chat.typingNotice(message.participantId, message.typing);
      case 'agent_pointer':
        return this.presence.pointer(message.participantId, message.x, message.y);
      case 'draw':
        return this.presence.draw(message.participantId, message.color, message.op);
      case 'invite_created':
        return this.setState({ invite: { code: message.code, expiresAt: message.expiresAt } });
      case 'visitors':
        return this.setState({ visitors: message.visitors });
      case 'cobrowse_answered':
        if (this.state.cobrowse?.visitorId !== message.visitorId) return;
        // On accept the server makes this agent join: `joined` follows and opens the session.
        return this.setState({ cobrowse: message.accepted ? this.state.cobrowse : { visitorId: message.visitorId, status: 'declined' } });
      case 'browser_tabs':
        return this.setState({ sharedBrowser: { tabs: message.tabs } });
      case 'notice':
        // Tenant-wide news from the server (e.g. a customer turned away because the plan is full).
        return this.notices.push(message.message, 'warn');
      case 'session_created':
      case 'keyframe_needed':
      case 'control_requested':
      case 'control_action':
      case 'guest_invite_created':
      case 'cobrowse_requested':
      case 'availability':
        return; // meant for the customer's tab
      default:
        assertNever(message);
    }
  }

  private handleError(code: string, message: string, fatal: boolean): void {
    const { phase } = this.state;
    if (phase === 'joining' || phase === 'connecting') {
      this.setState({ phase: 'idle', joinError: (this.guest ? t.watchFailed : t.joinErrors[code]) ?? message });
      if (fatal) this.closeSocket();
    } else if (phase === 'live' && (fatal || this.state.reconnecting)) {
      this.setState({ phase: 'ended', ended: { endedBy: 'system', reason: code }, reconnecting: false });
      this.closeSocket();
    } else if (phase === 'live') {
      this.notices.push(t.actionRefused, 'warn');
    }
  }

  private handleClose(code: number): void {
    this.socket = null;
    this.welcomed = false;
    const { phase } = this.state;
    const retry = !isFatalClose(code) && this.reconnectAttempt < RECONNECT_DELAYS_MS.length;
    if (phase === 'live' && retry) {
      this.setState({ reconnecting: true });
      this.scheduleReconnect();
    } else if (phase === 'connecting' || phase === 'joining') {
      this.setState({ phase: 'idle', joinError: this.state.joinError ?? (this.guest ? t.watchFailed : t.connectFailed) });
    } else if (phase === 'live') {
      this.setState({ phase: 'ended', ended: { endedBy: 'connection', reason: 'closed' }, reconnecting: false });
    } else if (phase === 'idle' && this.wantVisitors && retry) {
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    const delay = RECONNECT_DELAYS_MS[this.reconnectAttempt] ?? 8000;
    this.reconnectAttempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private closeSocket(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    socket?.close();
  }

  private resetSession(): void {
    this.e2ee.get()?.dispose();
    this.e2ee.set(null);
    this.replica?.dispose();
    this.replica = null;
    this.chat.reset();
    this.presence.reset();
    this.notices.clear();
  }

  private setState(patch: Partial<SessionState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled message: ${JSON.stringify(value)}`);
}

/**
 * One agent's live session, outside React: the socket, the join handshake, the session state
 * the screens render, and the replica fed by the binary frames. Screens subscribe to it.
 */
import {
  PROTOCOL_VERSION,
  SESSION_CODE_PATTERN,
  normalizeSessionCode,
  type EndedBy,
  type HostStatus,
  type Participant,
  type ServerMessage,
} from '@samepage/protocol';
import { t } from '../i18n/index.ts';
import { openAgentSocket, socketUrl, type AgentSocket } from '../socket.ts';
import { ReplicaSession } from '../replica/replica-session.ts';

export type SessionPhase = 'idle' | 'connecting' | 'joining' | 'live' | 'ended';

export interface SessionState {
  phase: SessionPhase;
  /** Shown next to the code field. */
  joinError: string | null;
  sessionId: string | null;
  participantId: string | null;
  participants: Participant[];
  hostStatus: HostStatus;
  page: { url: string; title: string } | null;
  ended: { endedBy: EndedBy | 'connection'; reason: string } | null;
}

const initialState: SessionState = {
  phase: 'idle',
  joinError: null,
  sessionId: null,
  participantId: null,
  participants: [],
  hostStatus: 'active',
  page: null,
  ended: null,
};

export class SessionController {
  private state: SessionState = initialState;
  private socket: AgentSocket | null = null;
  private welcomed = false;
  private pendingCode: string | null = null;
  private readonly listeners = new Set<() => void>();
  replica: ReplicaSession | null = null;

  getState = (): SessionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Joins with a code as typed by the agent (`123 456`, `123-456` or `123456`). */
  join(input: string): void {
    const code = normalizeSessionCode(input.trim());
    if (!SESSION_CODE_PATTERN.test(code)) {
      this.setState({ joinError: t.codeFormat });
      return;
    }
    if (this.state.phase === 'live' || this.state.phase === 'joining' || this.state.phase === 'connecting') return;
    this.resetSession();
    if (this.socket?.isOpen() && this.welcomed) {
      this.setState({ phase: 'joining', joinError: null });
      this.socket.send({ type: 'join', code });
      return;
    }
    this.pendingCode = code;
    this.setState({ phase: 'connecting', joinError: null });
    this.connect();
  }

  /** Leaves the session (the customer's session goes on) and closes the socket. */
  leave(): void {
    this.socket?.send({ type: 'leave' });
    this.closeSocket();
    this.resetSession();
    this.setState({ ...initialState });
  }

  /** Sends the agent's pointer in the customer's document coordinates; null hides it. */
  sendPointer(x: number | null, y: number | null): void {
    if (this.state.phase !== 'live') return;
    this.socket?.send({ type: 'pointer', x: x === null ? null : Math.round(x), y: y === null ? null : Math.round(y) });
  }

  /** Back to the home screen after a session ended. */
  dismiss(): void {
    if (this.state.phase === 'ended') {
      this.resetSession();
      this.setState({ ...initialState });
    }
  }

  private connect(): void {
    this.closeSocket();
    this.welcomed = false;
    this.socket = openAgentSocket(socketUrl(window.location), {
      onOpen: () => this.socket?.send({ type: 'agent_hello', v: PROTOCOL_VERSION }),
      onMessage: (message) => this.handleMessage(message),
      onFrame: (frame) => this.replica?.receiveFrame(frame),
      onClose: () => this.handleClose(),
    });
  }

  private handleMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.welcomed = true;
        if (this.pendingCode) {
          this.socket?.send({ type: 'join', code: this.pendingCode });
          this.pendingCode = null;
          this.setState({ phase: 'joining' });
        }
        break;
      case 'joined':
        this.replica = new ReplicaSession(() => this.socket?.send({ type: 'keyframe_request' }));
        this.setState({
          phase: 'live',
          joinError: null,
          sessionId: message.sessionId,
          participantId: message.participantId,
          participants: message.participants,
          hostStatus: message.hostStatus,
          page: message.page,
          ended: null,
        });
        break;
      case 'participant_joined':
        this.setState({ participants: [...this.state.participants.filter((p) => p.id !== message.participant.id), message.participant] });
        break;
      case 'participant_left':
        this.setState({ participants: this.state.participants.filter((p) => p.id !== message.participantId) });
        break;
      case 'host_status':
        this.setState({ hostStatus: message.status, page: message.page ?? this.state.page });
        break;
      case 'session_ended':
        this.setState({ phase: 'ended', ended: { endedBy: message.endedBy, reason: message.reason } });
        this.closeSocket();
        break;
      case 'error':
        this.handleError(message.code, message.message, message.fatal);
        break;
      case 'session_created':
      case 'agent_pointer':
      case 'keyframe_needed':
        break; // host-side messages, or other agents' pointers (not drawn yet)
      default:
        assertNever(message);
    }
  }

  private handleError(code: string, message: string, fatal: boolean): void {
    if (this.state.phase === 'joining' || this.state.phase === 'connecting') {
      this.setState({ phase: 'idle', joinError: t.joinErrors[code] ?? message });
      if (fatal) this.closeSocket();
    } else if (fatal && this.state.phase === 'live') {
      this.setState({ phase: 'ended', ended: { endedBy: 'system', reason: code } });
      this.closeSocket();
    }
  }

  private handleClose(): void {
    this.socket = null;
    this.welcomed = false;
    if (this.state.phase === 'connecting' || this.state.phase === 'joining') {
      this.setState({ phase: 'idle', joinError: this.state.joinError ?? t.connectFailed });
    } else if (this.state.phase === 'live') {
      this.setState({ phase: 'ended', ended: { endedBy: 'connection', reason: 'closed' } });
    }
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    socket?.close();
  }

  private resetSession(): void {
    this.replica?.dispose();
    this.replica = null;
  }

  private setState(patch: Partial<SessionState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled message: ${JSON.stringify(value)}`);
}

import { ERRORS, encodeMessage, type ErrorCode, type ServerMessage } from '@samepage/protocol';
import { ViewerFlow, isDroppable, type ViewerFlowOptions } from './flow.ts';

/** The small slice of a WebSocket the relay needs; tests can pass their own. */
export interface PeerSocket {
  send(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
  /** A socket on another node takes the late-join cache as one message, so its node can send it as a snapshot. */
  sendSnapshot?(frames: readonly Uint8Array[]): void;
}

/** One connected client: a customer's tab (host) or an agent's console. */
export class Peer {
  constructor(
    readonly connId: string,
    readonly socket: PeerSocket,
    readonly ip: string,
    readonly origin: string | null,
    /** This server's origin as the client reached it, for links (e.g. a guest invite). */
    readonly serverOrigin: string,
    /** Set when the socket is on another node: this peer is that socket as the session's home sees it. */
    readonly remoteNode: string | null = null,
  ) {}

  closed = false;
  /** Set while this peer receives a session's DOM stream (see flow.ts); null for hosts. */
  private flow: ViewerFlow | null = null;

  sendMessage(message: ServerMessage): void {
    if (!this.closed) this.socket.send(encodeMessage(message));
  }

  /**
   * A live binary frame. DOM frames (plaintext or encrypted) are dropped (and counted) while this
   * viewer is behind; other encrypted frames (chat, control, keys, pairing) are never dropped.
   */
  sendFrame(frame: Uint8Array): void {
    if (this.closed) return;
    if (this.flow && isDroppable(frame) && !this.flow.admit(frame)) return;
    this.socket.send(frame);
  }

  /**
   * The late-join cache: sent whatever the buffer holds, since it lets the viewer decode from
   * scratch. Returns the bytes sent.
   */
  sendSnapshot(frames: readonly Uint8Array[]): number {
    if (this.closed) return 0;
    if (this.socket.sendSnapshot) {
      this.socket.sendSnapshot(frames);
      return frames.reduce((n, frame) => n + frame.byteLength, 0);
    }
    let bytes = 0;
    for (const frame of frames) {
      this.socket.send(frame);
      bytes += frame.byteLength;
    }
    this.flow?.counted(bytes, frames.length);
    return bytes;
  }

  /**
   * Makes this peer a viewer with a bounded send queue. Sockets on other nodes are bounded on
   * their own node (SessionLink), so this does nothing for a remote peer.
   */
  watchFlow(options: ViewerFlowOptions): void {
    this.flow?.stop();
    this.flow = this.remoteNode ? null : new ViewerFlow(options, () => this.socket.bufferedAmount, () => this.closed);
  }

  /** No longer a viewer (left the session, or closed). */
  stopFlow(): void {
    this.flow?.stop();
    this.flow = null;
  }

  /** True while live frames are being dropped for this viewer. */
  get behind(): boolean {
    return this.flow?.behind ?? false;
  }

  /** Sends the error; a fatal one also closes the socket with its documented close code. */
  fail(code: ErrorCode, message?: string): void {
    const e = ERRORS[code];
    this.sendMessage({ type: 'error', code, message: message ?? e.message, fatal: e.fatal });
    if (e.fatal) this.close(e.close, code);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopFlow();
    try {
      this.socket.close(code, reason.slice(0, 120));
    } catch {
      // The socket is already gone; nothing to tell it.
    }
  }
}

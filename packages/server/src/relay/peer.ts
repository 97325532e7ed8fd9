import { ERRORS, encodeMessage, type ErrorCode, type ServerMessage } from '@samepage/protocol';

/** The small slice of a WebSocket the relay needs; tests can pass their own. */
export interface PeerSocket {
  send(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
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

  sendMessage(message: ServerMessage): void {
    if (!this.closed) this.socket.send(encodeMessage(message));
  }

  sendFrame(frame: Uint8Array): void {
    if (!this.closed) this.socket.send(frame);
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
    try {
      this.socket.close(code, reason.slice(0, 120));
    } catch {
      // The socket is already gone; nothing to tell it.
    }
  }
}

/**
 * The host's WebSocket: hello, dispatch of validated server messages, and reconnection with
 * backoff after a network blip, resuming the session for up to 30 s (PROTOCOL.md). Fatal
 * close codes (`isFatalClose`) end it at once: the same request would fail again.
 */
import {
  validateServerMessage,
  isFatalClose,
  PROTOCOL_VERSION,
  type ClientMessage,
  type ClientMessageOf,
  type ServerMessage,
  type ServerMessageOf,
} from '@samepage/protocol';
import { FallbackSocket } from './stream-transport.ts';
import { json } from './safe-json.ts';

export const RECONNECT_WINDOW_MS = 30_000;
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 5000];

export interface TransportOptions {
  /** ws(s)://SERVER/ws */
  url: string;
  /** Built at each connection, so it carries the latest resume info. */
  hello(): ClientMessageOf<'host_hello'>;
  onWelcome(message: ServerMessageOf<'welcome'>, reconnected: boolean): void;
  onMessage(message: ServerMessage): void;
  /** A binary frame from the relay (end-to-end encrypted sessions only). */
  onBinary?(frame: Uint8Array): void;
  /** The connection dropped and we are trying again. */
  onReconnecting(): void;
  /** Gave up: fatal close, or no reconnection within the window. */
  onClosed(reason: { code: number; fatal: boolean }): void;
  /** Whether a drop should be retried (only while a session exists). */
  shouldReconnect(): boolean;
  onError(error: unknown): void;
  WebSocketImpl?: typeof WebSocket;
}

export interface Transport {
  /** True once the server said welcome on the current socket. */
  isReady(): boolean;
  send(message: ClientMessage): boolean;
  sendBinary(frame: Uint8Array): boolean;
  bufferedAmount(): number;
  /** Try now instead of waiting for the backoff (page shown again from the bfcache). */
  reconnectNow(): void;
  close(): void;
}

/** `https://x` -> `wss://x/ws`. */
export function socketUrl(server: string): string {
  return server.replace(/^http/, 'ws').replace(/\/$/, '') + '/ws';
}

/**
 * @example
 *   const t = connectTransport({ url: socketUrl(server), hello: () => ({ type: 'host_hello', ... }), ... });
 *   t.send({ type: 'session_start' });
 */
export function connectTransport(options: TransportOptions): Transport {
  // A WebSocket, or HTTP streaming where WebSockets are blocked (stream-transport.ts).
  const Impl = options.WebSocketImpl ?? (FallbackSocket as unknown as typeof WebSocket);
  let socket: WebSocket | null = null;
  let ready = false;
  let closed = false;
  let droppedAt = 0; // when the first drop of the current outage happened, 0 when connected
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let everWelcomed = false;

  const giveUp = (code: number, fatal: boolean): void => {
    if (closed) return;
    closed = true;
    clearTimeout(retryTimer);
    options.onClosed({ code, fatal });
  };

  const scheduleRetry = (): void => {
    const now = Date.now();
    if (!droppedAt) droppedAt = now;
    if (now - droppedAt >= RECONNECT_WINDOW_MS) return giveUp(1006, false);
    const base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] ?? 5000;
    attempt += 1;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, base / 2 + Math.random() * (base / 2));
  };

  const onSocketClose = (ws: WebSocket, code: number): void => {
    if (ws !== socket || closed) return;
    const wasReady = ready;
    ready = false;
    socket = null;
    if (isFatalClose(code) || !options.shouldReconnect()) return giveUp(code, isFatalClose(code));
    if (wasReady || !droppedAt) options.onReconnecting();
    scheduleRetry();
  };

  const onSocketMessage = (data: unknown): void => {
    if (typeof data !== 'string') {
      // Encrypted sessions: pairing, chat and control frames (e2ee-hook.ts). Otherwise JSON only.
      if (data instanceof ArrayBuffer) options.onBinary?.(new Uint8Array(data));
      return;
    }
    let parsed: unknown;
    try {
      parsed = json().parse(data);
    } catch {
      parsed = null;
    }
    const decoded = validateServerMessage(parsed);
    if (!decoded.ok) {
      options.onError({ code: decoded.code, message: `Unreadable message from the server: ${decoded.detail}` });
      return;
    }
    const message = decoded.value;
    if (message.type === 'welcome') {
      ready = true;
      droppedAt = 0;
      attempt = 0;
      const reconnected = everWelcomed;
      everWelcomed = true;
      options.onWelcome(message, reconnected);
      return;
    }
    options.onMessage(message);
  };

  function open(): void {
    if (closed) return;
    let ws: WebSocket;
    try {
      ws = new Impl(options.url);
    } catch (error) {
      options.onError(error);
      return scheduleRetry();
    }
    socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      try {
        ws.send(json().stringify(options.hello()));
      } catch (error) {
        options.onError(error);
      }
    };
    ws.onmessage = (event: MessageEvent) => {
      try {
        onSocketMessage(event.data);
      } catch (error) {
        options.onError(error);
      }
    };
    ws.onclose = (event: CloseEvent) => onSocketClose(ws, event.code);
    ws.onerror = () => undefined; // a close event follows; that is where we decide
  }

  open();

  const isOpen = (): boolean => !!socket && socket.readyState === 1;

  return {
    isReady: () => ready && isOpen(),
    send(message) {
      if (!isOpen() || !socket) return false;
      try {
        socket.send(json().stringify(message));
        return true;
      } catch (error) {
        options.onError(error);
        return false;
      }
    },
    sendBinary(frame) {
      if (!ready || !isOpen() || !socket) return false;
      try {
        socket.send(frame);
        return true;
      } catch (error) {
        options.onError(error);
        return false;
      }
    },
    bufferedAmount: () => socket?.bufferedAmount ?? 0,
    reconnectNow() {
      if (closed || socket) return;
      attempt = 0;
      clearTimeout(retryTimer);
      open();
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      const ws = socket;
      socket = null;
      ready = false;
      try {
        ws?.close(1000);
      } catch {
        // already closing
      }
    },
  };
}

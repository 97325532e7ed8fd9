/** A thin WebSocket wrapper for the console: JSON messages validated on arrival, binary DOM frames. */
import { decodeServerMessage, encodeMessage, type ClientMessage, type ServerMessage } from '@samepage/protocol';
import { openWithFallback } from './stream-socket.ts';

export interface AgentSocketHandlers {
  onOpen(): void;
  onMessage(message: ServerMessage): void;
  onFrame(frame: Uint8Array): void;
  onClose(code: number): void;
}

export interface AgentSocket {
  send(message: ClientMessage): void;
  /** Encrypted frames (end-to-end encrypted sessions), on the WebSocket or in the HTTP stream's batches. */
  sendBinary?(frame: Uint8Array): void;
  close(): void;
  isOpen(): boolean;
}

export function socketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

/** A WebSocket, or HTTP streaming where WebSockets are blocked (stream-socket.ts). */
export function openAgentSocket(url: string, handlers: AgentSocketHandlers): AgentSocket {
  return openWithFallback(url, handlers, openWebSocket);
}

function openWebSocket(url: string, handlers: AgentSocketHandlers): AgentSocket {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  let closed = false;
  ws.addEventListener('open', () => handlers.onOpen());
  ws.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (event.data instanceof ArrayBuffer) {
      handlers.onFrame(new Uint8Array(event.data));
      return;
    }
    if (typeof event.data !== 'string') return;
    const decoded = decodeServerMessage(event.data);
    if (decoded.ok) handlers.onMessage(decoded.value);
    else console.warn('[samepage] ignored a server message:', decoded.detail);
  });
  ws.addEventListener('close', (event) => {
    if (closed) return;
    closed = true;
    handlers.onClose(event.code);
  });
  return {
    send(message) {
      if (ws.readyState === WebSocket.OPEN) ws.send(encodeMessage(message));
    },
    sendBinary(frame) {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    },
    close() {
      closed = true;
      ws.close(1000);
    },
    isOpen: () => ws.readyState === WebSocket.OPEN,
  };
}

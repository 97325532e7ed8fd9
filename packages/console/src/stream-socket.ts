/**
 * The console's fallback for networks that block WebSockets (corporate proxies): HTTP streaming,
 * server-sent events down and POSTs up (server: packages/server/src/http/stream-transport.ts,
 * PROTOCOL.md "Transport fallback"). `openWithFallback` tries a WebSocket first; if it fails
 * before opening twice in a row, or has not opened within 3 s, it switches to the stream, and
 * every later connection of this page load uses the stream at once (a reload tries WebSockets
 * again). `transportKind` says which one the console is on, for the session view's notice.
 */
import { decodeServerMessage, encodeMessage, type ClientMessage } from '@samepage/protocol';
import type { AgentSocket, AgentSocketHandlers } from './socket.ts';

export type TransportKind = 'websocket' | 'stream';

export const OPEN_TIMEOUT_MS = 3000;
/** A POST carries the queued messages up to this many bytes. */
const MAX_BATCH_BYTES = 256 * 1024;

let preferStream = false;
let kind: TransportKind = 'websocket';
const listeners = new Set<() => void>();

/** Which transport the last connection opened on; a store for useSyncExternalStore. */
export const transportKind = {
  get: (): TransportKind => kind,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

function setKind(next: TransportKind): void {
  if (next === kind) return;
  kind = next;
  for (const listener of listeners) listener();
}

/** `ws(s)://host/ws` -> `http(s)://host/stream`. */
export function streamUrl(socketUrl: string): string {
  return socketUrl.replace(/^ws/, 'http').replace(/\/ws$/, '/stream');
}

function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/**
 * Several frames in one POST body: `u8 kind, u32 length, bytes` each, kind 0 for a text message
 * (UTF-8 JSON), 1 for a binary frame (the encrypted frames of an end-to-end encrypted session).
 */
export function encodeBatch(frames: readonly (string | Uint8Array)[]): Uint8Array<ArrayBuffer> {
  const parts = frames.map((frame) => (typeof frame === 'string' ? new TextEncoder().encode(frame) : frame));
  const out = new Uint8Array(parts.reduce((sum, p) => sum + 5 + p.byteLength, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [i, part] of parts.entries()) {
    out[at] = typeof frames[i] === 'string' ? 0 : 1;
    view.setUint32(at + 1, part.byteLength);
    out.set(part, at + 5);
    at += 5 + part.byteLength;
  }
  return out;
}

/**
 * One connection over `GET /stream` (SSE; the console's cookie goes with it, same origin) and
 * `POST /stream/:id`. Same handlers and interface as the WebSocket in socket.ts.
 */
export function openStreamSocket(url: string, handlers: AgentSocketHandlers): AgentSocket {
  const source = new EventSource(url);
  let post = '';
  let token = '';
  let open = false;
  let closed = false;
  let queue: Array<string | Uint8Array> = [];
  let busy = false;

  const finish = (code: number): void => {
    if (closed) return;
    closed = true;
    open = false;
    source.close();
    handlers.onClose(code);
  };

  source.addEventListener('ready', (event: MessageEvent<string>) => {
    const ready = JSON.parse(event.data) as { id: string; token: string };
    post = `${url}/${encodeURIComponent(ready.id)}`;
    token = ready.token;
    open = true;
    handlers.onOpen();
  });
  source.addEventListener('t', (event: MessageEvent<string>) => {
    const decoded = decodeServerMessage(event.data);
    if (decoded.ok) handlers.onMessage(decoded.value);
    else console.warn('[samepage] ignored a server message:', decoded.detail);
  });
  source.addEventListener('b', (event: MessageEvent<string>) => handlers.onFrame(fromBase64(event.data)));
  source.addEventListener('close', (event: MessageEvent<string>) => {
    let code = 1006;
    try {
      code = (JSON.parse(event.data) as { code: number }).code;
    } catch {
      // an unreadable close event is a drop
    }
    finish(code);
  });
  // EventSource would reconnect by itself, as a new connection the relay knows nothing of.
  source.onerror = () => finish(1006);

  /** One POST at a time, so the server reads the messages in order. */
  const pump = async (): Promise<void> => {
    if (busy || closed || !open || queue.length === 0) return;
    busy = true;
    let n = 0;
    let size = 0;
    while (n < queue.length && (n === 0 || size + queue[n]!.length <= MAX_BATCH_BYTES)) size += queue[n++]!.length;
    const frames = queue.splice(0, n);
    // One JSON message goes as is; binary frames, and several frames, as a batch.
    const single = frames.length === 1 && typeof frames[0] === 'string';
    try {
      const res = await fetch(post, {
        method: 'POST',
        headers: { 'content-type': single ? 'application/json' : 'application/x-samepage-batch', 'x-samepage-stream': token },
        body: single ? (frames[0] as string) : encodeBatch(frames),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch {
      finish(1006);
      return;
    }
    busy = false;
    void pump();
  };

  return {
    send(message: ClientMessage) {
      if (!open || closed) return;
      queue.push(encodeMessage(message));
      void pump();
    },
    sendBinary(frame: Uint8Array) {
      if (!open || closed) return;
      queue.push(frame.slice());
      void pump();
    },
    close() {
      closed = true;
      open = false;
      queue = [];
      source.close();
    },
    isOpen: () => open && !closed,
  };
}

/**
 * The console's socket: a WebSocket from `openWebSocket`, or the HTTP stream where WebSockets
 * are blocked. A WebSocket that never opens is retried once before the stream is used.
 */
export function openWithFallback(url: string, handlers: AgentSocketHandlers, openWebSocket: (url: string, handlers: AgentSocketHandlers) => AgentSocket): AgentSocket {
  let current: AgentSocket | null = null;
  let opened = false;
  let done = false;
  let fails = 0;
  const timer = setTimeout(() => useStream(), OPEN_TIMEOUT_MS);

  const wrap = (stream: boolean): AgentSocketHandlers => ({
    onOpen: () => {
      opened = true;
      clearTimeout(timer);
      setKind(stream ? 'stream' : 'websocket');
      handlers.onOpen();
    },
    onMessage: (message) => handlers.onMessage(message),
    onFrame: (frame) => handlers.onFrame(frame),
    onClose: (code) => {
      if (!opened && !stream && !done) {
        fails += 1;
        return fails > 1 ? useStream() : useWebSocket();
      }
      clearTimeout(timer);
      handlers.onClose(code);
    },
  });
  function useWebSocket(): void {
    current = openWebSocket(url, wrap(false));
  }
  function useStream(): void {
    if (opened || done) return;
    clearTimeout(timer);
    preferStream = true;
    current?.close();
    current = openStreamSocket(streamUrl(url), wrap(true));
  }

  if (preferStream) useStream();
  else useWebSocket();
  return {
    send: (message) => current?.send(message),
    sendBinary: (frame) => current?.sendBinary?.(frame),
    close() {
      done = true;
      clearTimeout(timer);
      current?.close();
    },
    isOpen: () => current?.isOpen() ?? false,
  };
}

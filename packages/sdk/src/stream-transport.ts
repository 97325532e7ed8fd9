/**
 * The host socket's fallback for networks that block WebSockets (corporate proxies): HTTP
 * streaming, server-sent events down and POSTs up (server: packages/server/src/http/stream-transport.ts,
 * PROTOCOL.md "Transport fallback"). `FallbackSocket` looks like a WebSocket to transport.ts.
 *
 * It tries a WebSocket first. If that fails before opening twice in a row, or has not opened
 * within 3 s, it switches to the stream, and every later connection of this page load uses the
 * stream at once; the next page load tries a WebSocket again. Up, one POST at a time (so frames
 * arrive in order), carrying everything queued meanwhile as an `application/x-samepage-batch`.
 * Written small on purpose: it is in capture.js, under the SDK's size budget. The loader's
 * presence socket has no fallback.
 */

import { json } from './safe-json.ts';

/** Set once the fallback was needed: the rest of this page load goes straight to the stream. */
let preferStream = false;

type Frame = string | Uint8Array;
interface Socketish {
  readyState: number;
  onopen: ((e: unknown) => void) | null;
  onmessage: ((e: { data: unknown }) => void) | null;
  onclose: ((e: { code: number }) => void) | null;
}

/** Used as `new FallbackSocket(url)`, like `new WebSocket(url)`; `url` is ws(s)://SERVER/ws. */
export function FallbackSocket(url: string): WebSocket {
  let ws: WebSocket | null = null;
  let es: EventSource | null = null;
  let opened = false;
  let done = false;
  let fails = 0;
  let post = '';
  let token = '';
  let queue: Frame[] = [];
  let queued = 0;
  let busy = false;
  const timer = setTimeout(() => stream(), 3000);

  const w = {
    readyState: 0,
    binaryType: '',
    get bufferedAmount() {
      return ws ? ws.bufferedAmount : queued;
    },
    send(frame: Frame) {
      if (ws) return ws.send(frame);
      queue.push(frame);
      queued += frame.length;
      void pump();
    },
    close(code?: number) {
      done = true;
      clearTimeout(timer);
      w.readyState = 3;
      ws?.close(code);
      es?.close();
    },
  } as unknown as Socketish & WebSocket;

  const opens = (e?: unknown): void => {
    opened = true;
    clearTimeout(timer);
    w.readyState = 1;
    w.onopen?.(e);
  };
  const end = (code: number): void => {
    if (w.readyState > 2) return;
    w.close();
    w.onclose?.({ code });
  };

  const socket = (): void => {
    const s = (ws = new WebSocket(url));
    s.binaryType = 'arraybuffer';
    s.onopen = opens;
    s.onmessage = (e) => w.onmessage?.(e);
    s.onclose = (e) => {
      // Never opened: blocked, or a proxy stripped the upgrade. Once more, then the stream.
      if (!opened) return ++fails > 1 ? stream() : socket();
      end(e.code);
    };
  };

  function stream(): void {
    if (opened || done) return;
    preferStream = true;
    clearTimeout(timer);
    if (ws) ws.onclose = null;
    ws?.close();
    ws = null;
    const base = url.replace(/^ws/, 'http').replace(/\/ws$/, '/stream');
    const source = (es = new EventSource(base));
    source.addEventListener('ready', (e: MessageEvent<string>) => {
      const r = json().parse(e.data) as { id: string; token: string };
      post = `${base}/${r.id}`;
      token = r.token;
      opens();
    });
    // `t`: JSON; `b`: a binary frame as base64 (encrypted sessions: pairing, keys, chat, control).
    source.addEventListener('t', (e: MessageEvent<string>) => w.onmessage?.({ data: e.data }));
    source.addEventListener('b', (e: MessageEvent<string>) => w.onmessage?.({ data: Uint8Array.from(atob(e.data), (c) => c.charCodeAt(0)).buffer }));
    source.addEventListener('close', (e: MessageEvent<string>) => end((json().parse(e.data) as { code: number }).code));
    source.onerror = () => end(1006);
  }

  async function pump(): Promise<void> {
    if (busy || !queue.length || w.readyState !== 1) return;
    busy = true;
    const frames = queue;
    const size = queued;
    queue = [];
    const parts = frames.map((f) => (typeof f === 'string' ? new TextEncoder().encode(f) : f));
    const body = new Uint8Array(parts.reduce((sum, p) => sum + 5 + p.length, 0));
    let at = 0;
    parts.forEach((p, i) => {
      body[at] = typeof frames[i] === 'string' ? 0 : 1;
      new DataView(body.buffer).setUint32(at + 1, p.length);
      body.set(p, at + 5);
      at += 5 + p.length;
    });
    try {
      if (!(await fetch(post, { method: 'POST', headers: { 'content-type': 'application/x-samepage-batch', 'x-samepage-stream': token }, body })).ok) throw 0;
    } catch {
      return end(1006);
    }
    queued -= size;
    busy = false;
    void pump();
  }

  if (preferStream) stream();
  else socket();
  return w;
}

/** Whether this page load has fallen back to HTTP streaming (for tests and diagnostics). */
export const usingStream = (): boolean => preferStream;

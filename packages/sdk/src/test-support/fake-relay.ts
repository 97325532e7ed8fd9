/**
 * Test helper: a stand-in for the Samepage server, just enough of PROTOCOL.md to drive the SDK
 * in a real browser (serves the bundles and a fixture page, answers hellos, decodes frames).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { Inflate, inflateSync, strFromU8 } from 'fflate';
import { decodeDomFrameHeader, domFramePayload, FLAG_KEYFRAME, type ClientMessage, type DomFrameHeader, type ServerMessage } from '@samepage/protocol';

export interface ReceivedFrame {
  header: DomFrameHeader;
  json: string;
}

export interface FakeRelay {
  origin: string;
  messages: ClientMessage[];
  frames: ReceivedFrame[];
  requests: string[];
  send(message: ServerMessage): void;
  waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startFakeRelay(files: Record<string, { type: string; body: string }>): Promise<FakeRelay> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push(path);
    const file = files[path];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  const messages: ClientMessage[] = [];
  const frames: ReceivedFrame[] = [];
  let current: WebSocket | null = null;
  let lastEpoch = 0;
  let lastSeq = 0;

  wss.on('connection', (ws) => {
    current = ws;
    let inflate: Inflate | null = null;
    let out: string[] = [];
    ws.on('message', (data, isBinary) => {
      const bytes = new Uint8Array(data as Buffer);
      if (!isBinary) {
        const message = JSON.parse(strFromU8(bytes)) as ClientMessage;
        messages.push(message);
        if (message.type === 'host_hello') {
          const resumed = message.resume ? { resumed: { sessionId: message.resume.sessionId, participants: [], nextEpoch: lastEpoch + 1, nextSeq: lastSeq + 1 } } : {};
          ws.send(JSON.stringify({ type: 'welcome', v: 1, connId: 'c1', redaction: { redact: ['.tenant-secret'], block: [], allow: [] }, ...resumed }));
        } else if (message.type === 'session_start') {
          ws.send(JSON.stringify({ type: 'session_created', sessionId: 's1', code: '123456', expiresAt: Date.now() + 600_000, resumeToken: 'tok1' }));
        }
        return;
      }
      const header = decodeDomFrameHeader(bytes);
      if (!header) throw new Error('bad frame');
      if (header.seq <= lastSeq) throw new Error(`seq went backwards: ${header.seq} after ${lastSeq}`);
      lastSeq = header.seq;
      lastEpoch = Math.max(lastEpoch, header.epoch);
      const payload = domFramePayload(bytes);
      if (header.flags & FLAG_KEYFRAME) {
        frames.push({ header, json: strFromU8(inflateSync(payload)) });
        inflate = new Inflate();
        inflate.ondata = (c) => out.push(strFromU8(c));
      } else {
        out = [];
        inflate?.push(payload);
        frames.push({ header, json: out.join('') });
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    messages,
    frames,
    requests,
    send: (message) => current?.send(JSON.stringify(message)),
    async waitFor(check, what, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

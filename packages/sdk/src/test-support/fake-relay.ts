/**
 * Test helper: a stand-in for the Samepage server, just enough of PROTOCOL.md to drive the SDK
 * in a real browser: serves the bundles and fixture pages, answers host and visitor hellos,
 * decodes frames, and runs the session chat (seq numbering, clientId dedupe, chat_sync) and
 * guest invites. Control and drawing messages are sent by the test itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { strFromU8 } from 'fflate';
import {
  decodeDomFrameHeader,
  DomStreamInflater,
  parseEventBatch,
  type ChatMessage,
  type ClientMessage,
  type DomFrameHeader,
  type ServerMessage,
  type SitePolicyPublic,
} from '@samepage/protocol';

export const TEST_POLICY: SitePolicyPublic = {
  allowNavigation: true,
  allowGuests: true,
  recorded: true,
  allowCustomerStart: true,
  navigationOrigins: ['self'],
  company: 'Acme',
};

export interface FakeRelayOptions {
  policy?: SitePolicyPublic;
}

export interface ReceivedFrame {
  header: DomFrameHeader;
  json: string;
}

export interface FakeRelay {
  origin: string;
  messages: ClientMessage[];
  frames: ReceivedFrame[];
  requests: string[];
  /** The chat as the relay stored it. */
  chat: ChatMessage[];
  /** Sends to the host's session socket. */
  send(message: ServerMessage): void;
  /** Sends to the visitor's presence socket. */
  sendPresence(message: ServerMessage): void;
  /** Drops the host's socket as a network blip would (the SDK reconnects and resumes). */
  dropHost(): void;
  /** The next chat_send is stored but not echoed (the ack is lost with the connection). */
  loseNextChatAck(): void;
  waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startFakeRelay(files: Record<string, { type: string; body: string }>, options: FakeRelayOptions = {}): Promise<FakeRelay> {
  const policy = options.policy ?? TEST_POLICY;
  const chat: ChatMessage[] = [];
  let loseAck = false;
  let presence: WebSocket | null = null;
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

  let hostSocket: WebSocket | null = null;
  const participants: import('@samepage/protocol').Participant[] = [];
  wss.on('connection', (ws) => {
    current = ws;
    ws.once('message', (data) => {
      if (String(data).includes('"host_hello"')) current = hostSocket = ws;
    });
    const inflater = new DomStreamInflater();
    ws.on('message', (data, isBinary) => {
      const bytes = new Uint8Array(data as Buffer);
      if (!isBinary) {
        const message = JSON.parse(strFromU8(bytes)) as ClientMessage;
        messages.push(message);
        const reply = (m: ServerMessage): void => ws.send(JSON.stringify(m));
        switch (message.type) {
          case 'host_hello': {
            const resumed = message.resume ? { resumed: { sessionId: message.resume.sessionId, participants, nextEpoch: lastEpoch + 1, nextSeq: lastSeq + 1 } } : {};
            return reply({ type: 'welcome', v: 1, connId: 'c1', redaction: { redact: ['.tenant-secret'], block: [], allow: [] }, policy, ...resumed });
          }
          case 'visitor_hello':
            presence = ws;
            current = hostSocket; // the presence socket is not the session's
            return reply({ type: 'welcome', v: 1, connId: 'v1' });
          case 'session_start':
            // A new session numbers its frames from 1 again.
            lastSeq = lastEpoch = 0;
            participants.length = 0;
            return reply({ type: 'session_created', sessionId: 's1', code: '123456', expiresAt: Date.now() + 600_000, resumeToken: 'tok1' });
          case 'chat_send': {
            let stored = chat.find((m) => m.clientId === message.clientId);
            if (!stored) {
              stored = { seq: chat.length + 1, id: `m${chat.length + 1}`, clientId: message.clientId, from: { participantId: 'host', name: 'Customer', role: 'host' }, text: message.text, at: Date.now() };
              chat.push(stored);
              if (loseAck) {
                loseAck = false;
                return;
              }
            }
            return reply({ type: 'chat_message', message: stored });
          }
          case 'chat_sync':
            return reply({ type: 'chat_history', messages: chat.filter((m) => m.seq > message.afterSeq) });
          case 'guest_invite_create':
            return reply({ type: 'guest_invite_created', url: 'http://127.0.0.1/console/watch/guest-token-1', expiresAt: Date.now() + 3_600_000 });
          default:
            return;
        }
      }
      const header = decodeDomFrameHeader(bytes);
      if (!header) throw new Error('bad frame');
      if (header.seq <= lastSeq) throw new Error(`seq went backwards: ${header.seq} after ${lastSeq}`);
      lastSeq = header.seq;
      lastEpoch = Math.max(lastEpoch, header.epoch);
      const inflated = inflater.inflate(bytes);
      if (!inflated.ok) throw new Error(`frame ${header.seq} did not inflate: ${inflated.reason}`);
      // Deltas are compact batches (protocol event-batch.ts): tests read them as rrweb events.
      frames.push({ header, json: JSON.stringify(parseEventBatch(inflated.payload)) });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    messages,
    frames,
    requests,
    chat,
    send(message) {
      if (message.type === 'participant_joined') {
        const i = participants.findIndex((p) => p.id === message.participant.id);
        participants.splice(i < 0 ? participants.length : i, i < 0 ? 0 : 1, message.participant);
      }
      if (message.type === 'chat_message' && !chat.some((m) => m.seq === message.message.seq)) chat.push(message.message);
      (hostSocket ?? current)?.send(JSON.stringify(message));
    },
    sendPresence: (message) => presence?.send(JSON.stringify(message)),
    dropHost: () => hostSocket?.terminate(),
    loseNextChatAck: () => void (loseAck = true),
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

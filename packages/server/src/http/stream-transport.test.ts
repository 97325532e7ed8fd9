/**
 * The HTTP streaming transport (SSE + POST), against a real server: events, POST routing,
 * tokens, Origin and cookie checks, close codes, limits, heartbeat and shutdown.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import pino from 'pino';
import WebSocket from 'ws';
import { encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME, PROTOCOL_VERSION, type ServerMessage } from '@samepage/protocol';
import { startServer, type RunningServer } from '../server.ts';
import { connect, login } from '../relay/test-clients.ts';
import type { RelaySocket } from '../relay/relay.ts';
import { BATCH_CONTENT_TYPE, decodeBatch, registerStreamTransport, STREAM_TOKEN_HEADER, type StreamConnection } from './stream-transport.ts';

interface SseEvent {
  event: string;
  data: string;
}

/** A Node client of /stream: reads the SSE events and POSTs frames, like the browser code. */
interface StreamClient {
  res: http.IncomingMessage;
  id: string;
  token: string;
  events: SseEvent[];
  comments: number;
  ended: Promise<void>;
  post(body: string | Uint8Array, type?: string, headers?: Record<string, string>): Promise<Response>;
  send(message: Record<string, unknown>): Promise<Response>;
  next(event: string, timeoutMs?: number): Promise<SseEvent>;
  message<T extends ServerMessage['type']>(type: T, timeoutMs?: number): Promise<Extract<ServerMessage, { type: T }>>;
  closeEvent(timeoutMs?: number): Promise<{ code: number; reason: string }>;
  abort(): void;
}

async function openStream(t: TestContext, base: string, headers: Record<string, string> = {}): Promise<StreamClient> {
  // node:http, not fetch: undici leaves a spare connection open after an abort, which holds the
  // server's close for its keep-alive timeout.
  const req = http.get(`${base}/stream`, { headers, agent: false });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => req.once('response', resolve).once('error', reject));
  assert.equal(res.statusCode, 200);
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  const client = { res, events, comments: 0 } as StreamClient;
  res.setEncoding('utf8');
  let buffer = '';
  client.ended = new Promise<void>((resolve) => {
    const done = () => {
      for (const w of waiters.splice(0)) w();
      resolve();
    };
    res.on('end', done).on('close', done).on('error', done);
  });
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) client.comments += 1;
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) events.push({ event, data: data.join('\n') });
      for (const w of waiters.splice(0)) w();
    }
  });
  client.abort = () => req.destroy();
  t.after(() => req.destroy());
  client.next = (event, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for SSE ${event}; have ${events.map((e) => e.event).join(',')}`)), timeoutMs);
      const check = () => {
        const index = events.findIndex((e) => e.event === event);
        if (index >= 0) {
          clearTimeout(timer);
          resolve(events.splice(index, 1)[0]!);
        } else waiters.push(check);
      };
      check();
    });
  client.message = (type, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}; have ${events.map((e) => e.data.slice(0, 40)).join(' | ')}`)), timeoutMs);
      const check = () => {
        const index = events.findIndex((e) => e.event === 't' && (JSON.parse(e.data) as ServerMessage).type === type);
        if (index >= 0) {
          clearTimeout(timer);
          resolve(JSON.parse(events.splice(index, 1)[0]!.data));
        } else waiters.push(check);
      };
      check();
    });
  client.closeEvent = async (timeoutMs) => JSON.parse((await client.next('close', timeoutMs)).data) as { code: number; reason: string };
  const ready = JSON.parse((await client.next('ready')).data) as { id: string; token: string };
  client.id = ready.id;
  client.token = ready.token;
  client.post = (body, type = 'application/json', extra = {}) =>
    fetch(`${base}/stream/${client.id}`, {
      method: 'POST',
      headers: { 'content-type': type, [STREAM_TOKEN_HEADER]: client.token, ...headers, ...extra },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
  client.send = (message) => client.post(JSON.stringify(message));
  return client;
}

async function server(t: TestContext, env: Record<string, string> = {}): Promise<RunningServer> {
  const s = await startServer({ env });
  t.after(() => s.close());
  return s;
}

const hostHello = (s: RunningServer) => ({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: s.demoSiteKey, page: { url: s.url + '/', title: 'Shop' } });

test('GET /stream is an unbuffered SSE stream whose first event carries the connection id and token', async (t) => {
  const s = await server(t);
  const host = await openStream(t, s.url, { origin: s.url });
  assert.equal(host.res.headers['content-type'], 'text/event-stream; charset=utf-8');
  assert.equal(host.res.headers['x-accel-buffering'], 'no');
  assert.match(host.res.headers['cache-control'] ?? '', /no-cache/);
  assert.match(host.res.headers['cache-control'] ?? '', /no-transform/);
  assert.equal(host.res.headers['access-control-allow-origin'], s.url);
  assert.equal(host.res.headers['access-control-allow-credentials'], undefined, 'a foreign page can never read a console stream');
  assert.match(host.id, /^[\w-]{16}$/);
  assert.match(host.token, /^[\w-]{32}$/);
  const other = await openStream(t, s.url, { origin: s.url });
  assert.notEqual(other.id, host.id);
  assert.notEqual(other.token, host.token);
});

test('a host over the stream starts a session; its DOM frames reach a WebSocket agent and a streaming agent byte for byte', async (t) => {
  const s = await server(t);
  const host = await openStream(t, s.url, { origin: s.url });
  assert.equal((await host.send(hostHello(s))).status, 204);
  await host.message('welcome');
  await host.send({ type: 'session_start' });
  const created = await host.message('session_created');
  const keyframe = encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 0 }, new Uint8Array([1, 2, 3, 250, 0, 10]));
  assert.equal((await host.post(keyframe, 'application/octet-stream')).status, 204);

  const cookie = await login(s);
  const wsAgent = await connect(s, { cookie });
  t.after(() => wsAgent.ws.close());
  wsAgent.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await wsAgent.next('welcome');
  wsAgent.send({ type: 'join', code: created.code });
  await wsAgent.next('joined');
  await host.message('participant_joined');

  const agent = await openStream(t, s.url, { cookie, origin: s.url });
  await agent.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await agent.message('welcome');
  await agent.send({ type: 'join_session', sessionId: created.sessionId });
  await agent.message('joined');
  assert.deepEqual(Buffer.from((await agent.next('b')).data, 'base64'), Buffer.from(keyframe), 'the late-join cache, base64 in a `b` event');

  // Live, in a batch with a text frame: the server takes them in order.
  const delta = encodeDomFrame({ flags: FLAG_DEFLATE, epoch: 1, seq: 1 }, new Uint8Array([9, 8, 7]));
  const text = Buffer.from(JSON.stringify({ type: 'chat_send', clientId: 'c1', text: 'hello over http' }));
  const batch = Buffer.concat([Buffer.from([1, 0, 0, 0, delta.length]), delta, Buffer.from([0, 0, 0, 0, text.length]), text]);
  assert.equal((await host.post(batch, BATCH_CONTENT_TYPE)).status, 204);
  assert.deepEqual(Buffer.from((await agent.next('b')).data, 'base64'), Buffer.from(delta));
  await until(() => wsAgent.frames.length === 2);
  assert.deepEqual(wsAgent.frames[0], Buffer.from(keyframe));
  assert.deepEqual(wsAgent.frames[1], Buffer.from(delta));
  assert.equal((await agent.message('chat_message')).message.text, 'hello over http');

  // The customer's tab goes away (the SSE response ends): agents see it reconnecting.
  host.abort();
  assert.equal((await wsAgent.next('host_status')).status, 'reconnecting');
});

test('POSTs need the stream’s id and token, and the Origin of the stream', async (t) => {
  const s = await server(t);
  const host = await openStream(t, s.url, { origin: s.url });
  const hello = JSON.stringify(hostHello(s));
  assert.equal((await host.post(hello, 'application/json', { [STREAM_TOKEN_HEADER]: 'x'.repeat(32) })).status, 404);
  assert.equal((await host.post(hello, 'application/json', { [STREAM_TOKEN_HEADER]: '' })).status, 404);
  const other = await openStream(t, s.url, { origin: s.url });
  assert.equal((await host.post(hello, 'application/json', { [STREAM_TOKEN_HEADER]: other.token })).status, 404, 'another stream’s token');
  const unknown = await fetch(`${s.url}/stream/nope`, { method: 'POST', headers: { 'content-type': 'application/json', [STREAM_TOKEN_HEADER]: host.token }, body: hello });
  assert.equal(unknown.status, 404);
  assert.equal((await host.post(hello, 'application/json', { origin: 'https://evil.example' })).status, 403);
  // None of those reached the relay: the real hello still works.
  assert.equal((await host.post(hello)).status, 204);
  await host.message('welcome');

  const preflight = await fetch(`${s.url}/stream/${host.id}`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example');
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', new RegExp(STREAM_TOKEN_HEADER));
});

test('the relay’s checks apply: a host from a foreign origin and an agent without a login are refused with their close codes', async (t) => {
  const s = await server(t);
  const foreign = await openStream(t, s.url, { origin: 'https://evil.example' });
  await foreign.send(hostHello(s));
  assert.equal((await foreign.message('error')).code, 'origin_not_allowed');
  assert.equal((await foreign.closeEvent()).code, 4403);

  const anonymous = await openStream(t, s.url, { origin: s.url });
  await anonymous.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  assert.equal((await anonymous.message('error')).code, 'unauthorized');
  assert.equal((await anonymous.closeEvent()).code, 4401);

  const cookie = await login(s);
  const crossSite = await openStream(t, s.url, { cookie, origin: 'https://evil.example' });
  await crossSite.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  assert.equal((await crossSite.message('error')).code, 'origin_not_allowed');

  // A same-origin GET carries no Origin in browsers; the hello's POST does, and it counts.
  const noOriginGet = await openStream(t, s.url, {});
  await noOriginGet.post(JSON.stringify(hostHello(s)), 'application/json', { origin: 'https://evil.example' });
  assert.equal((await noOriginGet.message('error')).code, 'origin_not_allowed');
});

test('close codes: bad frames, wrong version, hello timeout and frame limits end the stream with a close event', async (t) => {
  const s = await server(t, { HELLO_TIMEOUT_MS: '300', MAX_FRAME_BYTES: '2048' });
  const bad = await openStream(t, s.url, { origin: s.url });
  await bad.post('{not json');
  assert.equal((await bad.closeEvent()).code, 4400);
  await bad.ended;

  const version = await openStream(t, s.url, { origin: s.url });
  await version.send({ ...hostHello(s), v: 99 });
  assert.equal((await version.closeEvent()).code, 4426);

  const silent = await openStream(t, s.url, { origin: s.url });
  const timeout = await silent.closeEvent();
  assert.deepEqual(timeout, { code: 4408, reason: 'hello_timeout' });

  const big = await openStream(t, s.url, { origin: s.url });
  await big.send(hostHello(s));
  await big.message('welcome');
  const frame = encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 0 }, new Uint8Array(4000));
  await big.post(frame, 'application/octet-stream');
  assert.equal((await big.closeEvent()).code, 4413);

  const longText = await openStream(t, s.url, { origin: s.url });
  await longText.send(hostHello(s));
  await longText.message('welcome');
  await longText.send({ type: 'chat_send', clientId: 'x', text: 'y'.repeat(70 * 1024) });
  assert.equal((await longText.closeEvent()).code, 4413);

  const batch = await openStream(t, s.url, { origin: s.url });
  const broken = await batch.post(Buffer.from([0, 0, 0, 0, 99, 1]), BATCH_CONTENT_TYPE);
  assert.equal(broken.status, 400);
  assert.equal((await batch.closeEvent()).code, 4400);

  const huge = await openStream(t, s.url, { origin: s.url });
  const tooLarge = await huge.post(new Uint8Array(2048 + 1024 * 1024 + 1), 'application/octet-stream');
  assert.equal(tooLarge.status, 413, 'bodies past MAX_FRAME_BYTES + 1 MiB are not read');
});

test('shutting the server down closes open streams with 1012', async (t) => {
  const s = await startServer();
  const host = await openStream(t, s.url, { origin: s.url });
  await host.send(hostHello(s));
  await host.message('welcome');
  await s.close();
  assert.deepEqual(await host.closeEvent(), { code: 1012, reason: 'server_shutting_down' });
});

test('an aborted stream is forgotten: its id answers 404', async (t) => {
  const s = await server(t);
  const host = await openStream(t, s.url, { origin: s.url });
  host.abort();
  await host.ended;
  let status = 0;
  for (let i = 0; i < 50 && status !== 404; i++) {
    status = (await host.send(hostHello(s)).catch(() => ({ status: 0 }))).status;
    if (status !== 404) await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(status, 404);
});

test('the stream sends a heartbeat comment, reports its unflushed bytes, and stops at the socket limit', async (t) => {
  const accepted: RelaySocket[] = [];
  const relay = {
    socketCount: 0,
    async accept(socket: RelaySocket, _req: IncomingMessage) {
      accepted.push(socket);
      socket.on('message', (data, isBinary) => socket.send(isBinary ? new Uint8Array(data as Buffer) : `echo ${String(data)}`));
    },
  };
  const app = Fastify();
  const streams = registerStreamTransport(app, { relay, log: pino({ level: 'silent' }), maxFrameBytes: 1024, helloTimeoutMs: 10_000, heartbeatMs: 50, maxSockets: 2 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const a = await openStream(t, base);
  await until(() => a.comments >= 2);
  await a.post('hi');
  assert.equal((await a.next('t')).data, 'echo hi');
  await a.post(new Uint8Array([0, 255, 7]), 'application/octet-stream');
  assert.deepEqual([...Buffer.from((await a.next('b')).data, 'base64')], [0, 255, 7]);
  assert.equal(accepted.length, 1, 'handed to the relay once, with the first POST');
  const conn = streams.get(a.id) as StreamConnection;
  assert.equal(typeof conn.bufferedAmount, 'number');

  await openStream(t, base);
  const third = await fetch(`${base}/stream`);
  const text = await third.text();
  assert.match(text, /"code":"server_busy"/);
  assert.match(text, /event: close\ndata: \{"code":1013/);
});

test('decodeBatch splits frames and refuses a truncated body', () => {
  const body = Buffer.from([0, 0, 0, 0, 2, 0x7b, 0x7d, 1, 0, 0, 0, 1, 9]);
  const frames = decodeBatch(body);
  assert.deepEqual(
    frames?.map((f) => ({ isBinary: f.isBinary, data: [...f.data] })),
    [
      { isBinary: false, data: [0x7b, 0x7d] },
      { isBinary: true, data: [9] },
    ],
  );
  assert.equal(decodeBatch(Buffer.from([0, 0, 0, 0, 5, 1])), null);
  assert.equal(decodeBatch(Buffer.from([2, 0, 0, 0, 0])), null);
  assert.deepEqual(decodeBatch(Buffer.alloc(0)), []);
});

test('DISABLE_WEBSOCKETS=1 refuses every WebSocket upgrade with 403; /stream still works', async (t) => {
  const before = process.env.DISABLE_WEBSOCKETS;
  process.env.DISABLE_WEBSOCKETS = '1';
  t.after(() => (before === undefined ? delete process.env.DISABLE_WEBSOCKETS : (process.env.DISABLE_WEBSOCKETS = before)));
  const s = await server(t);
  const ws = new WebSocket(s.url.replace('http', 'ws') + '/ws', { headers: { origin: s.url } });
  const status = await new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
  assert.equal(status, 403);
  const host = await openStream(t, s.url, { origin: s.url });
  await host.send(hostHello(s));
  await host.message('welcome');
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(cond());
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME, PROTOCOL_VERSION, type ServerMessage } from '@samepage/protocol';
import { startServer, type RunningServer } from '../server.ts';

type Client = { ws: WebSocket; messages: ServerMessage[]; frames: Buffer[]; next(type: ServerMessage['type']): Promise<ServerMessage> };

async function connect(server: RunningServer, headers: Record<string, string>): Promise<Client> {
  const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', { headers });
  const messages: ServerMessage[] = [];
  const frames: Buffer[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) frames.push(data as Buffer);
    else messages.push(JSON.parse(String(data)) as ServerMessage);
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = (type: ServerMessage['type']) =>
    new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}`)), 5000);
      const check = () => {
        const index = messages.findIndex((m) => m.type === type);
        if (index >= 0) {
          clearTimeout(timer);
          resolve(messages.splice(index, 1)[0]!);
        } else waiters.push(check);
      };
      check();
    });
  return { ws, messages, frames, next };
}

async function login(server: RunningServer): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1' },
    body: JSON.stringify(server.admin),
  });
  assert.equal(res.status, 200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(cond());
};

test('the relay forwards the same bytes to a late joiner and live, and records who ended the session', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const host = await connect(server, { origin: server.url });
  t.after(() => host.ws.close());
  host.ws.send(JSON.stringify({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: server.url + '/', title: 'Shop' } }));
  await host.next('welcome');
  host.ws.send(JSON.stringify({ type: 'session_start' }));
  const created = await host.next('session_created');
  assert.equal(created.type, 'session_created');
  if (created.type !== 'session_created') return;
  const keyframe = encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 0 }, new Uint8Array([9, 9, 9]));
  const delta1 = encodeDomFrame({ flags: FLAG_DEFLATE, epoch: 1, seq: 1 }, new Uint8Array([1]));
  host.ws.send(keyframe);
  host.ws.send(delta1);

  const cookie = await login(server);
  const agent = await connect(server, { origin: server.url, cookie });
  t.after(() => agent.ws.close());
  agent.ws.send(JSON.stringify({ type: 'agent_hello', v: PROTOCOL_VERSION }));
  await agent.next('welcome');
  agent.ws.send(JSON.stringify({ type: 'join', code: created.code }));
  const joined = await agent.next('joined');
  assert.equal(joined.type === 'joined' && joined.sessionId, created.sessionId);
  await until(() => agent.frames.length === 2);
  assert.deepEqual(agent.frames[0], Buffer.from(keyframe));
  assert.deepEqual(agent.frames[1], Buffer.from(delta1));
  const joinedNote = await host.next('participant_joined');
  assert.equal(joinedNote.type === 'participant_joined' && joinedNote.participant.name, 'Admin');

  const delta2 = encodeDomFrame({ flags: FLAG_DEFLATE, epoch: 1, seq: 2 }, new Uint8Array([2, 2]));
  host.ws.send(delta2);
  await until(() => agent.frames.length === 3);
  assert.deepEqual(agent.frames[2], Buffer.from(delta2));

  agent.ws.send(JSON.stringify({ type: 'pointer', x: 10, y: 20 }));
  const pointer = await host.next('agent_pointer');
  assert.equal(pointer.type === 'agent_pointer' && pointer.x, 10);

  host.ws.send(JSON.stringify({ type: 'session_end' }));
  const ended = await agent.next('session_ended');
  assert.deepEqual(ended, { type: 'session_ended', endedBy: 'customer', reason: 'stopped' });
  await until(() => true);
  const row = await server.store.getSession(server.boot.demoSiteKey ? (await server.store.findSiteByKey(server.demoSiteKey))!.tenantId : '', created.sessionId);
  assert.equal(row?.ended_by, 'customer');
  assert.ok(row?.ended_at);
});

test('a host that drops resumes the same session with its token, and agents see it reconnecting', async (t) => {
  const server = await startServer({ env: { HOST_RESUME_GRACE_MS: '5000' } });
  t.after(() => server.close());
  const hello = { type: 'host_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: server.url + '/', title: 'Shop' } };
  const host = await connect(server, { origin: server.url });
  host.ws.send(JSON.stringify(hello));
  await host.next('welcome');
  host.ws.send(JSON.stringify({ type: 'session_start' }));
  const created = await host.next('session_created');
  if (created.type !== 'session_created') throw new Error('no session');
  host.ws.send(encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 0 }, new Uint8Array([1])));
  const agent = await connect(server, { origin: server.url, cookie: await login(server) });
  t.after(() => agent.ws.close());
  agent.ws.send(JSON.stringify({ type: 'agent_hello', v: PROTOCOL_VERSION }));
  agent.ws.send(JSON.stringify({ type: 'join', code: created.code }));
  await agent.next('joined');

  host.ws.terminate();
  const away = await agent.next('host_status');
  assert.equal(away.type === 'host_status' && away.status, 'reconnecting');
  const again = await connect(server, { origin: server.url });
  t.after(() => again.ws.close());
  again.ws.send(JSON.stringify({ ...hello, resume: { sessionId: created.sessionId, token: created.resumeToken } }));
  const welcome = await again.next('welcome');
  assert.equal(welcome.type === 'welcome' && welcome.resumed?.sessionId, created.sessionId);
  assert.equal(welcome.type === 'welcome' && welcome.resumed?.nextSeq, 1);
  const back = await agent.next('host_status');
  assert.equal(back.type === 'host_status' && back.status, 'active');

  const forged = await connect(server, { origin: server.url });
  t.after(() => forged.ws.close());
  forged.ws.send(JSON.stringify({ ...hello, resume: { sessionId: created.sessionId, token: 'wrong' } }));
  const refused = await forged.next('error');
  assert.equal(refused.type === 'error' && refused.code, 'session_ended');
});

test('a customer whose connection dies silently is noticed by the keepalive, and agents see it reconnecting', async (t) => {
  const server = await startServer({ env: { PING_INTERVAL_MS: '200', HOST_RESUME_GRACE_MS: '5000' } });
  t.after(() => server.close());
  const hello = { type: 'host_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: server.url + '/', title: 'Shop' } };
  const host = await connect(server, { origin: server.url });
  t.after(() => host.ws.terminate());
  host.ws.send(JSON.stringify(hello));
  await host.next('welcome');
  host.ws.send(JSON.stringify({ type: 'session_start' }));
  const created = await host.next('session_created');
  if (created.type !== 'session_created') throw new Error('no session');
  const agent = await connect(server, { origin: server.url, cookie: await login(server) });
  t.after(() => agent.ws.close());
  agent.ws.send(JSON.stringify({ type: 'agent_hello', v: PROTOCOL_VERSION }));
  agent.ws.send(JSON.stringify({ type: 'join', code: created.code }));
  await agent.next('joined');
  // Stop reading: pings go unanswered, as on a network that silently dropped the link.
  (host.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const away = await agent.next('host_status');
  assert.equal(away.type === 'host_status' && away.status, 'reconnecting');
});

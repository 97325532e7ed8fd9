/** Socket and login helpers for the relay's integration tests (real server, real sockets). */
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import {
  PROTOCOL_VERSION,
  encodeDomFrame,
  encodeE2eeHeader,
  E2EE_CUSTOMER,
  E2EE_PAIRWISE_TYPES,
  E2EE_TO_GROUP,
  FLAG_DEFLATE,
  FLAG_E2EE_ENCRYPTED,
  FLAG_KEYFRAME,
  type ClientMessage,
  type E2eeHeader,
  type ServerMessage,
  type ServerMessageOf,
} from '@samepage/protocol';
import type { RunningServer } from '../server.ts';
import { hashPassword } from '../auth/passwords.ts';

export interface TestClient {
  ws: WebSocket;
  messages: ServerMessage[];
  frames: Buffer[];
  send(message: ClientMessage | Record<string, unknown>): void;
  next<T extends ServerMessage['type']>(type: T, timeoutMs?: number): Promise<ServerMessageOf<T>>;
  closed: Promise<{ code: number; reason: string }>;
}

export async function connect(server: RunningServer, headers: Record<string, string> = {}): Promise<TestClient> {
  const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', { headers: { origin: server.url, ...headers } });
  const messages: ServerMessage[] = [];
  const frames: Buffer[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) frames.push(data as Buffer);
    else messages.push(JSON.parse(String(data)) as ServerMessage);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = <T extends ServerMessage['type']>(type: T, timeoutMs = 5000) =>
    new Promise<ServerMessageOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}; have ${messages.map((m) => m.type).join(',')}`)), timeoutMs);
      const check = () => {
        const index = messages.findIndex((m) => m.type === type);
        if (index >= 0) {
          clearTimeout(timer);
          resolve(messages.splice(index, 1)[0] as ServerMessageOf<T>);
        } else waiters.push(check);
      };
      check();
    });
  return { ws, messages, frames, send: (m) => ws.send(JSON.stringify(m)), next, closed };
}

export async function login(server: RunningServer, email = server.admin.email, password = server.admin.password): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 200, `login of ${email}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

export async function tenantOf(server: RunningServer): Promise<string> {
  const site = await server.store.findSiteByKey(server.demoSiteKey);
  assert.ok(site);
  return site.tenantId;
}

/** Creates a user with a role in the demo tenant and returns its login cookie. */
export async function createAgent(server: RunningServer, role: string, name = `${role} user`): Promise<string> {
  const email = `${role}.${Math.random().toString(36).slice(2)}@example.test`;
  await server.store.createUser({ tenantId: await tenantOf(server), email, name, role, passwordHash: await hashPassword('password-123') });
  return login(server, email, 'password-123');
}

/** A customer's tab that has started a session and sent a keyframe. */
export async function startHostSession(server: RunningServer, siteKey = server.demoSiteKey) {
  const host = await connect(server);
  host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page: { url: server.url + '/', title: 'Shop' } });
  const welcome = await host.next('welcome');
  host.send({ type: 'session_start' });
  const created = await host.next('session_created');
  host.ws.send(encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 0 }, new Uint8Array([1])));
  return { host, created, welcome };
}

export async function joinAs(server: RunningServer, cookie: string, code: string) {
  const agent = await connect(server, { cookie });
  agent.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  const welcome = await agent.next('welcome');
  agent.send({ type: 'join', code });
  const joined = await agent.next('joined');
  return { agent, welcome, joined };
}

/** An end-to-end encrypted frame: a real header and a random body (the relay never reads it). */
export function e2eeFrame(header: Partial<E2eeHeader> & Pick<E2eeHeader, 'type'>, bodyBytes = 32): Buffer {
  const body = randomBytes(bodyBytes);
  const full: E2eeHeader = { flags: header.type === 'pair' ? 0 : FLAG_E2EE_ENCRYPTED, epoch: 1, sender: E2EE_CUSTOMER, to: E2EE_PAIRWISE_TYPES.has(header.type) ? 1 : E2EE_TO_GROUP, seq: 1, ...header, len: bodyBytes };
  return Buffer.concat([encodeE2eeHeader(full), body]);
}

/** A site of the demo tenant with end-to-end encryption on (and whatever else `policy` says). */
export async function createE2eeSite(server: RunningServer, policy: Record<string, unknown> = {}) {
  return server.store.createSite({ tenantId: await tenantOf(server), name: 'Encrypted shop', allowedOrigins: ['self'], policy: { e2ee: true, ...policy } });
}

/** A customer's tab that speaks E2EE and has started a session on `siteKey` (no frames sent yet). */
export async function startE2eeHost(server: RunningServer, siteKey: string) {
  const host = await connect(server);
  host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page: { url: server.url + '/', title: 'Shop' }, e2ee: true });
  const welcome = await host.next('welcome');
  host.send({ type: 'session_start' });
  const created = await host.next('session_created');
  return { host, created, welcome };
}

/** An agent's console that speaks E2EE joins with a code; `member` is its member number. */
export async function joinE2ee(server: RunningServer, cookie: string, code: string) {
  const agent = await connect(server, { cookie });
  agent.send({ type: 'agent_hello', v: PROTOCOL_VERSION, e2ee: true });
  await agent.next('welcome');
  agent.send({ type: 'join', code });
  const joined = await agent.next('joined');
  const me = joined.participants.find((p) => p.id === joined.participantId);
  assert.ok(me?.member !== undefined, 'the joined message gives the agent its member number');
  return { agent, joined, member: me.member };
}

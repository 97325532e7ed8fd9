/**
 * The relay under end-to-end encryption (docs/E2EE.md, "Relay"): a real server on port 0, real
 * sockets, a real SQLite file. Frames have real headers and random bodies: the relay must route
 * and police them on the header alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION, encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME } from '@samepage/protocol';
import { startServer } from '../server.ts';
import { connect, createAgent, createE2eeSite, e2eeFrame, joinE2ee, login, startE2eeHost, startHostSession, tenantOf } from './test-clients.ts';
import { createRecordingKeyStore } from '../recording-key-store.ts';

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `waited for ${what}`);
};
const has = (frames: Buffer[], frame: Buffer) => frames.some((f) => f.equals(frame));

test('a site with E2EE refuses a customer tab that does not speak it (e2ee_required) and tells one that does', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const site = await createE2eeSite(server);
  const old = await connect(server);
  old.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: site.siteKey, page: { url: server.url + '/', title: 'Shop' } });
  const error = await old.next('error');
  assert.equal(error.code, 'e2ee_required');
  assert.equal((await old.closed).code, 4426);

  const { host, welcome } = await startE2eeHost(server, site.siteKey);
  t.after(() => host.ws.close());
  assert.equal(welcome.policy?.e2ee, true);
  assert.equal(welcome.policy?.allowGuests, false, 'friend invites are off under E2EE');
  const plain = await startHostSession(server);
  t.after(() => plain.host.ws.close());
  assert.equal(plain.welcome.policy?.e2ee, false, 'the demo site is not encrypted');
});

test('routing: DOM and chat go to the group, keys only to the member in `to`; member numbers are announced and never reused', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const site = await createE2eeSite(server);
  const { host, created } = await startE2eeHost(server, site.siteKey);
  const a = await joinE2ee(server, await login(server), created.code);
  const invite = await (async () => {
    a.agent.send({ type: 'invite_create' });
    return a.agent.next('invite_created');
  })();
  const b = await joinE2ee(server, await createAgent(server, 'agent', 'Bea'), invite.code);
  t.after(() => [host, a.agent, b.agent].forEach((c) => c.ws.close()));
  assert.equal(a.member, 1);
  assert.equal(b.member, 2);
  assert.equal(b.joined.participants.find((p) => p.role === 'host')?.member, 0, 'the customer is member 0');
  const announced = await host.next('participant_joined');
  assert.equal(announced.participant.member, 1, 'the customer learns each agent’s member number');

  const keyframe = e2eeFrame({ type: 'dom_keyframe', epoch: 7, seq: 1 }, 300);
  const keyForB = e2eeFrame({ type: 'key', to: 2, epoch: 7, seq: 1 });
  host.ws.send(keyframe);
  host.ws.send(keyForB);
  await until(() => has(b.agent.frames, keyForB) && has(a.agent.frames, keyframe), 'the keyframe and the key');
  assert.ok(has(b.agent.frames, keyframe), 'both agents get the group frame');
  assert.ok(!has(a.agent.frames, keyForB), 'a pairwise frame reaches only its recipient');

  const chat = e2eeFrame({ type: 'chat', sender: 1, epoch: 7, seq: 1 });
  a.agent.ws.send(chat);
  await until(() => has(host.frames, chat) && has(b.agent.frames, chat), 'the chat at the customer and the other agent');
  assert.ok(!has(a.agent.frames, chat), 'not echoed to its sender');

  const pairToB = e2eeFrame({ type: 'pair', sender: 1, to: 2, epoch: 0, seq: 1 });
  a.agent.ws.send(pairToB);
  await until(() => has(b.agent.frames, pairToB), 'agent-to-agent pairing (for vouching)');
  assert.ok(!has(host.frames, pairToB));

  // Control: only the agent the customer granted it to.
  const ctl = e2eeFrame({ type: 'ctl', sender: 1, to: 0, epoch: 7, seq: 2 });
  a.agent.ws.send(ctl);
  assert.equal((await a.agent.next('error')).code, 'e2ee_not_controller');
  a.agent.send({ type: 'control_request' });
  await host.next('control_requested');
  host.send({ type: 'control_grant', participantId: a.joined.participantId });
  await a.agent.next('control_state');
  const ctl2 = e2eeFrame({ type: 'ctl', sender: 1, to: 0, epoch: 7, seq: 3 });
  a.agent.ws.send(ctl2);
  await until(() => has(host.frames, ctl2), 'the granted control frame at the customer');
  assert.ok(!has(host.frames, ctl) && !has(b.agent.frames, ctl2), 'the refused one was dropped; control goes to the customer only');

  // A leaving agent's number is retired: the next agent gets a new one.
  b.agent.send({ type: 'leave' });
  await host.next('participant_left');
  a.agent.send({ type: 'invite_create' });
  const c = await joinE2ee(server, await createAgent(server, 'agent', 'Cy'), (await a.agent.next('invite_created')).code);
  t.after(() => c.agent.ws.close());
  assert.equal(c.member, 3);
  const toGone = e2eeFrame({ type: 'key', to: 2, epoch: 7, seq: 2 });
  host.ws.send(toGone);
  const gone = await host.next('error');
  assert.equal(gone.code, 'e2ee_bad_recipient');
  assert.equal(gone.fatal, false);
});

test('policing on real sockets: each violation gets its code, fatal ones close, and the session goes on', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const site = await createE2eeSite(server);
  const { host, created } = await startE2eeHost(server, site.siteKey);
  const a = await joinE2ee(server, await login(server), created.code);
  t.after(() => [host, a.agent].forEach((c) => c.ws.close()));
  host.ws.send(e2eeFrame({ type: 'dom_keyframe', epoch: 3, seq: 5 }));

  a.agent.ws.send(e2eeFrame({ type: 'chat', sender: 1, epoch: 2, seq: 1 }));
  assert.equal((await a.agent.next('error')).code, 'e2ee_stale_epoch');
  host.ws.send(e2eeFrame({ type: 'dom_delta', epoch: 2, seq: 6 }));
  assert.equal((await host.next('error')).code, 'e2ee_stale_epoch', 'the customer cannot go back to an older epoch');
  a.agent.ws.send(e2eeFrame({ type: 'pair', sender: 1, to: 9, epoch: 3, seq: 1 }));
  assert.equal((await a.agent.next('error')).code, 'e2ee_bad_recipient');

  const delta = e2eeFrame({ type: 'dom_delta', epoch: 3, seq: 6 });
  host.ws.send(delta);
  await until(() => has(a.agent.frames, delta), 'the session still works');

  // Fatal: a replayed sequence number from the customer.
  host.ws.send(e2eeFrame({ type: 'dom_delta', epoch: 3, seq: 6 }));
  assert.equal((await host.next('error')).code, 'e2ee_seq_replay');
  assert.equal((await host.closed).code, 4400);

  // Fatal: an agent claiming to be the customer, or sending DOM.
  const b = await joinE2ee(server, await login(server), await (async () => (a.agent.send({ type: 'invite_create' }), (await a.agent.next('invite_created')).code))());
  b.agent.ws.send(e2eeFrame({ type: 'chat', sender: 0, epoch: 3, seq: 1 }));
  assert.equal((await b.agent.next('error')).code, 'e2ee_sender_mismatch');
  assert.equal((await b.agent.closed).code, 4403);
  a.agent.ws.send(e2eeFrame({ type: 'dom_delta', sender: 1, epoch: 3, seq: 9 }));
  assert.equal((await a.agent.next('error')).code, 'e2ee_type_forbidden');
  assert.equal((await a.agent.closed).code, 4403);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the server is fine');
});

test('plaintext is refused in an E2EE session: DOM frames, chat_send, control_action; old consoles cannot join', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const site = await createE2eeSite(server);
  const { host, created } = await startE2eeHost(server, site.siteKey);
  t.after(() => host.ws.close());
  const cookie = await login(server);
  const joinById = async (e2ee: boolean) => {
    const agent = await connect(server, { cookie });
    t.after(() => agent.ws.close());
    agent.send({ type: 'agent_hello', v: PROTOCOL_VERSION, e2ee });
    await agent.next('welcome');
    agent.send({ type: 'join_session', sessionId: created.sessionId });
    return agent;
  };

  const old = await joinById(false);
  assert.equal((await old.next('error')).code, 'e2ee_required', 'a console without E2EE cannot join');
  assert.equal((await old.closed).code, 4426);

  const a = await joinById(true);
  await a.next('joined');
  a.send({ type: 'chat_send', clientId: 'c1', text: 'my card number' });
  assert.equal((await a.next('error')).code, 'e2ee_plaintext_refused');
  assert.equal((await a.closed).code, 4400);

  const b = await joinById(true);
  await b.next('joined');
  b.send({ type: 'control_action', actionId: 1, action: { kind: 'scroll', target: { id: null, x: 0, y: 0 }, scrollX: 0, scrollY: 10 } });
  assert.equal((await b.next('error')).code, 'e2ee_plaintext_refused');

  host.ws.send(encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 0 }, new Uint8Array([1, 2, 3])));
  assert.equal((await host.next('error')).code, 'e2ee_plaintext_refused', 'a plaintext DOM frame is refused');
  assert.equal((await host.closed).code, 4400);
  const stored = await (await fetch(`${server.url}/api/sessions/${created.sessionId}`, { headers: { cookie } })).json() as { chat: unknown[] };
  assert.deepEqual(stored.chat, [], 'nothing in the clear was stored');
});

test('unencrypted sessions are unchanged, and refuse encrypted frames (e2ee_not_enabled)', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  const a = await connect(server, { cookie: await login(server) });
  a.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await a.next('welcome');
  a.send({ type: 'join', code: created.code });
  const joined = await a.next('joined');
  t.after(() => [host, a].forEach((c) => c.ws.close()));
  assert.equal(joined.participants.every((p) => p.member === undefined), true, 'no member numbers without E2EE');
  await until(() => a.frames.length === 1, 'the plaintext keyframe');
  host.ws.send(e2eeFrame({ type: 'dom_keyframe', epoch: 2, seq: 1 }));
  assert.equal((await host.next('error')).code, 'e2ee_not_enabled');
});

test('a late joiner gets the ciphertext of the current epoch only: its keyframe and deltas, reset by a new keyframe', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const site = await createE2eeSite(server);
  const { host, created } = await startE2eeHost(server, site.siteKey);
  t.after(() => host.ws.close());
  const old = [e2eeFrame({ type: 'dom_keyframe', epoch: 1, seq: 1 }, 500), e2eeFrame({ type: 'dom_delta', epoch: 1, seq: 2 })];
  const current = [e2eeFrame({ type: 'dom_keyframe', epoch: 2, seq: 1 }, 500), e2eeFrame({ type: 'dom_delta', epoch: 2, seq: 2 }), e2eeFrame({ type: 'dom_delta', epoch: 2, seq: 3 })];
  const other = [e2eeFrame({ type: 'chat', epoch: 2, seq: 4 }), e2eeFrame({ type: 'pair', to: 1, epoch: 0, seq: 1 })];
  for (const f of [...old, ...current, ...other]) host.ws.send(f);
  await new Promise((r) => setTimeout(r, 50));
  const session = server.relay.sessions.get(created.sessionId)!;
  await until(() => session.cache.snapshot().length === 3, 'the cache of epoch 2');
  const a = await joinE2ee(server, await login(server), created.code);
  t.after(() => a.agent.ws.close());
  await until(() => a.agent.frames.length >= 3, 'the cached frames');
  assert.deepEqual(a.agent.frames, current, 'exactly the current epoch’s keyframe and deltas, byte for byte');
  assert.deepEqual(a.joined.chat, [], 'no chat history for a newcomer');
});

test('encrypted chat is kept as ciphertext: the API returns it as opaque base64 with encrypted: true; webhooks get metadata only', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const site = await createE2eeSite(server);
  const events: Array<{ type: string; data: unknown }> = [];
  const emit = server.relay.events.emit.bind(server.relay.events);
  server.relay.deps.events = { emit: (tenantId, type, data) => (events.push({ type, data }), emit(tenantId, type, data)) };
  const { host, created } = await startE2eeHost(server, site.siteKey);
  t.after(() => host.ws.close());
  host.ws.send(e2eeFrame({ type: 'dom_keyframe', epoch: 1, seq: 1 }));
  const chat = e2eeFrame({ type: 'chat', epoch: 1, seq: 2 }, 64);
  host.ws.send(chat);
  const cookie = await login(server);
  const get = async () => (await fetch(`${server.url}/api/sessions/${created.sessionId}`, { headers: { cookie } })).json() as Promise<{ session: { e2ee?: boolean }; chat: Array<{ text: string; encrypted?: boolean }> }>;
  let detail = await get();
  for (let i = 0; i < 100 && detail.chat.length === 0; i++) (await new Promise((r) => setTimeout(r, 20)), (detail = await get()));
  assert.equal(detail.session.e2ee, true);
  assert.equal(detail.chat.length, 1);
  assert.equal(detail.chat[0]!.encrypted, true);
  assert.deepEqual(Buffer.from(detail.chat[0]!.text, 'base64'), chat, 'the whole frame, header (the AAD) included');
  const created_ = events.find((e) => e.type === 'message.created')?.data as { message: { text: unknown; encrypted?: boolean } };
  assert.equal(created_.message.text, null);
  assert.equal(created_.message.encrypted, true);
});

test('encrypted recordings: the tenant registers a P-256 public key; the server stores ciphertext frames and wrapped epoch keys and serves them as they are', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const site = await createE2eeSite(server, { recordSessions: true });
  const cookie = await login(server);
  const api = (path: string, init: RequestInit = {}) => fetch(`${server.url}/api${path}`, { ...init, headers: { cookie, 'x-samepage-csrf': '1', 'content-type': 'application/json', ...init.headers } });

  // Without a key, an encrypted site is not recorded (and says so in its policy).
  const unrecorded = await startE2eeHost(server, site.siteKey);
  assert.equal(unrecorded.welcome.policy?.recorded, false);
  unrecorded.host.ws.close();

  assert.equal((await api('/settings/recording-key', { method: 'PUT', body: JSON.stringify({ publicKey: Buffer.alloc(65, 4).toString('base64url') }) })).status, 400, 'a point off the curve is refused');
  const { publicKey } = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const raw = Buffer.from(await crypto.subtle.exportKey('raw', publicKey)).toString('base64url');
  const put = await api('/settings/recording-key', { method: 'PUT', body: JSON.stringify({ publicKey: raw }) });
  assert.equal(put.status, 200);

  const { host, created, welcome } = await startE2eeHost(server, site.siteKey);
  assert.equal(welcome.policy?.recorded, true);
  assert.equal(welcome.policy?.recordingKey, raw, 'the customer’s tab gets the key to wrap epoch keys to');
  const frames = [e2eeFrame({ type: 'dom_keyframe', epoch: 1, seq: 1 }, 200), e2eeFrame({ type: 'dom_delta', epoch: 1, seq: 2 })];
  for (const f of frames) host.ws.send(f);
  host.send({ type: 'e2ee_recording_key', epoch: 1, wrapped: Buffer.from('wrapped-epoch-1').toString('base64') });
  const session = server.relay.sessions.get(created.sessionId)!;
  await until(() => session.cache.snapshot().length === 2, 'the frames at the relay');
  host.send({ type: 'session_end' });
  await until(() => session.ended, 'the session to end');
  await session.recorder!.finish();
  const keys = createRecordingKeyStore(server.store.db);
  for (let i = 0; i < 100 && (await keys.listEpochKeys(await tenantOf(server), created.sessionId)).length === 0; i++) await new Promise((r) => setTimeout(r, 20));

  const res = await api(`/recordings/${created.sessionId}/encrypted`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { frames: Array<{ bytes: string }>; keys: Array<{ epoch: number; wrapped: string }> };
  assert.deepEqual(body.frames.map((f) => Buffer.from(f.bytes, 'base64')), frames, 'the ciphertext frames, byte for byte');
  assert.deepEqual(body.keys.map((k) => [k.epoch, Buffer.from(k.wrapped, 'base64').toString()]), [[1, 'wrapped-epoch-1']]);
  const events = await api(`/recordings/${created.sessionId}/events`);
  assert.equal(((await events.json()) as { error: { code: string } }).error.code, 'e2ee_feature_off', 'the server cannot turn ciphertext into events');
});

test('features that need plaintext on the server refuse encrypted sites: the shared browser and follow-up page snapshots (e2ee_feature_off)', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const cookie = await login(server);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1', ...headers }, body: JSON.stringify(body) });
  const { sharedBrowsers } = await import('../shared-browser/manager.ts');
  const { SHARED_BROWSER_SDK_DIST } = await import('../shared-browser/routes.ts');
  const key = await sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST).siteKey(await tenantOf(server));
  const own = (await server.store.findSiteByKey(key))!;
  await server.store.updateSite(own.tenantId, own.id, { policy: { ...own.policy, e2ee: true } });
  const opened = await post('/api/shared-browser', { url: 'https://example.com/' }, { cookie });
  assert.equal(((await opened.json()) as { error: { code: string } }).error.code, 'e2ee_feature_off');

  const site = await createE2eeSite(server);
  const message = { siteKey: site.siteKey, text: 'Please call me back', page: { url: server.url + '/', title: 'Shop' }, snapshot: 'H4sIAAAAAAAAAwMAAAAAAAAAAAA=' };
  const refused = await post('/followup/messages', message, { origin: server.url });
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'e2ee_feature_off');
  const { snapshot: _snapshot, ...withoutSnapshot } = message;
  assert.equal((await post('/followup/messages', withoutSnapshot, { origin: server.url })).status, 201, 'the message itself is still accepted');
});

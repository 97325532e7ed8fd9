import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '@samepage/protocol';
import { startServer } from '../server.ts';
import { connect, createAgent, joinAs, login, startHostSession, tenantOf } from './test-clients.ts';

test('control needs the customer consent; the customer can revoke; actions go only from the controller', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  const senior = await joinAs(server, await createAgent(server, 'senior_agent', 'Sam'), created.code);
  t.after(() => senior.agent.ws.close());
  const pid = senior.joined.participantId;

  senior.agent.send({ type: 'control_action', actionId: 1, action: { kind: 'click', target: { id: 5, x: 1, y: 1 } } });
  const early = await senior.agent.next('control_result');
  assert.deepEqual([early.ok, early.failure], [false, 'not_controller']);

  senior.agent.send({ type: 'control_request' });
  const asked = await host.next('control_requested');
  assert.deepEqual([asked.participantId, asked.name], [pid, 'Sam']);
  host.send({ type: 'control_deny', participantId: pid });
  assert.equal((await senior.agent.next('control_state')).reason, 'requested');
  const denied = await senior.agent.next('control_state');
  assert.deepEqual([denied.controllerId, denied.reason], [null, 'denied']);

  senior.agent.send({ type: 'control_request' });
  await host.next('control_requested');
  host.send({ type: 'control_grant', participantId: pid });
  await senior.agent.next('control_state');
  const granted = await senior.agent.next('control_state');
  assert.deepEqual([granted.controllerId, granted.reason], [pid, 'granted']);

  senior.agent.send({ type: 'control_action', actionId: 2, action: { kind: 'type', target: { id: 7, x: 0, y: 0 }, text: 'hi' } });
  const forwarded = await host.next('control_action');
  assert.deepEqual([forwarded.participantId, forwarded.actionId, forwarded.action.kind], [pid, 2, 'type']);
  host.send({ type: 'control_result', participantId: pid, actionId: 2, ok: false, failure: 'redacted_field', message: 'protected' });
  const result = await senior.agent.next('control_result');
  assert.deepEqual([result.actionId, result.ok, result.failure], [2, false, 'redacted_field']);

  host.send({ type: 'control_revoke' });
  const revoked = await senior.agent.next('control_state');
  assert.deepEqual([revoked.controllerId, revoked.reason], [null, 'revoked']);
  senior.agent.send({ type: 'control_action', actionId: 3, action: { kind: 'click', target: { id: 5, x: 1, y: 1 } } });
  const late = await senior.agent.next('control_result');
  assert.deepEqual([late.ok, late.failure], [false, 'not_controller']);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(host.messages.filter((m) => m.type === 'control_action').length, 0, 'no action reaches the customer after a revoke');
});

test('an agent whose role lacks control is refused by the server, even if the console shows no button', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  const agent = await joinAs(server, await createAgent(server, 'agent', 'Ann'), created.code);
  t.after(() => agent.agent.ws.close());
  assert.ok(!agent.welcome.user?.permissions.includes('session.control'));
  agent.agent.send({ type: 'control_request' });
  const refused = await agent.agent.next('error');
  assert.equal(refused.code, 'permission_denied');
  agent.agent.send({ type: 'control_action', actionId: 1, action: { kind: 'click', target: { id: 1, x: 0, y: 0 } } });
  const result = await agent.agent.next('control_result');
  assert.deepEqual([result.ok, result.failure], [false, 'no_permission']);
  assert.equal(host.messages.some((m) => m.type === 'control_requested' || m.type === 'control_action'), false);
});

test('control ends by itself when the controlling agent leaves', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  const senior = await joinAs(server, await createAgent(server, 'senior_agent'), created.code);
  senior.agent.send({ type: 'control_request' });
  await host.next('control_requested');
  host.send({ type: 'control_grant', participantId: senior.joined.participantId });
  await host.next('control_state');
  await host.next('control_state');
  senior.agent.ws.close();
  const left = await host.next('control_state');
  assert.deepEqual([left.controllerId, left.reason], [null, 'left']);
});

test('chat is ordered, stored, deduplicated on resend, and replayed after a reconnect', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  const a = await joinAs(server, await login(server), created.code);
  t.after(() => a.agent.ws.close());
  host.send({ type: 'chat_send', clientId: 'c1', text: 'Hello, I need help' });
  a.agent.send({ type: 'chat_send', clientId: 'a1', text: 'Hi! I can see your page.' });
  const m1 = await a.agent.next('chat_message');
  const m2 = await a.agent.next('chat_message');
  assert.deepEqual([m1.message.seq, m1.message.from.role, m2.message.seq, m2.message.from.role], [1, 'host', 2, 'agent']);
  host.send({ type: 'chat_send', clientId: 'c1', text: 'Hello, I need help' });
  await host.next('chat_message');
  await host.next('chat_message');
  const echo = await host.next('chat_message');
  assert.equal(echo.message.seq, 1, 'a resend returns the stored message');
  host.send({ type: 'chat_sync', afterSeq: 1 });
  const history = await host.next('chat_history');
  assert.deepEqual(history.messages.map((m) => m.text), ['Hi! I can see your page.']);
  host.send({ type: 'chat_typing', typing: true });
  const typing = await a.agent.next('chat_typing');
  assert.deepEqual([typing.participantId, typing.typing], ['host', true]);
  await new Promise((r) => setTimeout(r, 100));
  const tenantId = await tenantOf(server);
  const stored = await server.collab.listChat(tenantId, created.sessionId);
  assert.deepEqual(stored.map((m) => m.seq), [1, 2]);
  const other = await joinAs(server, await createAgent(server, 'agent'), (await (async () => { a.agent.send({ type: 'invite_create' }); return (await a.agent.next('invite_created')).code; })()));
  t.after(() => other.agent.ws.close());
  assert.deepEqual(other.joined.chat?.map((m) => m.seq), [1, 2], 'a colleague invited later sees the chat so far');
});

test('pointers and drawings go to the customer and the other agents; guests can only watch and chat', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const tenantId = await tenantOf(server);
  const site = await server.store.createSite({ tenantId, name: 'Guests allowed', allowedOrigins: ['self'], policy: { allowGuests: true } });
  const { host, created } = await startHostSession(server, site.siteKey);
  const a = await joinAs(server, await login(server), created.code);
  a.agent.send({ type: 'invite_create' });
  const invite = await a.agent.next('invite_created');
  const b = await joinAs(server, await createAgent(server, 'agent', 'Bob'), invite.code);
  t.after(() => [a, b].forEach((x) => x.agent.ws.close()));
  a.agent.send({ type: 'pointer', x: 10, y: 20 });
  a.agent.send({ type: 'draw', op: { kind: 'rect', id: 'r1', color: '#ff0000', x: 1, y: 2, width: 3, height: 4 } });
  assert.equal((await host.next('agent_pointer')).x, 10);
  assert.equal((await b.agent.next('agent_pointer')).y, 20);
  assert.equal((await b.agent.next('draw')).op.kind, 'rect');
  assert.equal((await host.next('draw')).participantId, a.joined.participantId);

  host.send({ type: 'guest_invite_create' });
  const link = await host.next('guest_invite_created');
  const token = link.url.split('/console/watch/')[1];
  assert.ok(token);
  const guest = await connect(server);
  t.after(() => guest.ws.close());
  guest.send({ type: 'guest_hello', v: PROTOCOL_VERSION, token, name: 'Friend' });
  const joined = await guest.next('joined');
  assert.equal(joined.sessionId, created.sessionId);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(guest.frames.length, 1, 'the guest receives the cached keyframe');
  const names = [];
  for (let i = 0; i < 3; i++) names.push((await host.next('participant_joined')).participant);
  assert.deepEqual(names.map((p) => `${p.name}/${p.role}`), ['Admin/agent', 'Bob/agent', 'Friend/guest']);
  guest.send({ type: 'draw', op: { kind: 'clear' } });
  assert.equal((await guest.next('error')).code, 'permission_denied');
});

test('friend invites are refused when the site policy does not allow them', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host } = await startHostSession(server);
  host.send({ type: 'guest_invite_create' });
  assert.equal((await host.next('error')).code, 'permission_denied');
});

test('an agent asks a live visitor to co-browse; on accept the agent is in the session at once', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const visitor = await connect(server);
  t.after(() => visitor.ws.close());
  visitor.send({ type: 'visitor_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: server.url + '/cart.html', title: 'Cart' }, identity: { id: 'u-42', name: 'Vera Visitor' } });
  await visitor.next('welcome');
  const agent = await connect(server, { cookie: await login(server) });
  t.after(() => agent.ws.close());
  agent.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await agent.next('welcome');
  agent.send({ type: 'visitors_subscribe' });
  const list = await agent.next('visitors');
  assert.equal(list.visitors.length, 1);
  assert.equal(list.visitors[0]?.identity?.name, 'Vera Visitor');
  agent.send({ type: 'cobrowse_request', visitorId: list.visitors[0]!.visitorId });
  const request = await visitor.next('cobrowse_requested');
  assert.deepEqual([request.agentName, request.company], ['Admin', 'Demo Company']);
  visitor.send({ type: 'cobrowse_answer', requestId: request.requestId, accepted: true });
  assert.equal((await agent.next('cobrowse_answered')).accepted, true);
  const host = await connect(server);
  t.after(() => host.ws.close());
  host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: server.url + '/cart.html', title: 'Cart' }, visitor: { name: 'Vera Visitor' } });
  await host.next('welcome');
  host.send({ type: 'session_start', requestId: request.requestId });
  const created = await host.next('session_created');
  const joined = await agent.next('joined');
  assert.equal(joined.sessionId, created.sessionId);
  assert.equal(joined.visitor?.name, 'Vera Visitor');
  let listed = await agent.next('visitors');
  while (!listed.visitors[0]?.inSession) listed = await agent.next('visitors');
  assert.equal(listed.visitors[0]?.inSession, true, 'the visitor list shows the tab in a session');
});

test('a supervisor joins any live session of the tenant and is listed to the customer; an agent may not', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  const supervisorCookie = await createAgent(server, 'supervisor', 'Sue');
  const res = await fetch(`${server.url}/api/sessions/live`, { headers: { cookie: supervisorCookie } });
  const live = (await res.json()) as { sessions: Array<{ id: string }> };
  assert.deepEqual(live.sessions.map((s) => s.id), [created.sessionId]);
  const agentCookie = await createAgent(server, 'agent');
  assert.equal((await fetch(`${server.url}/api/sessions/live`, { headers: { cookie: agentCookie } })).status, 403);

  const sup = await connect(server, { cookie: supervisorCookie });
  t.after(() => sup.ws.close());
  sup.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await sup.next('welcome');
  sup.send({ type: 'join_session', sessionId: created.sessionId });
  const joined = await sup.next('joined');
  assert.equal(joined.sessionId, created.sessionId);
  const seen = await host.next('participant_joined');
  assert.deepEqual([seen.participant.name, seen.participant.title], ['Sue', 'Supervisor']);

  const plain = await connect(server, { cookie: agentCookie });
  t.after(() => plain.ws.close());
  plain.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await plain.next('welcome');
  plain.send({ type: 'join_session', sessionId: created.sessionId });
  assert.equal((await plain.next('error')).code, 'permission_denied');
});

test('ten agents in one session all receive the customer change', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  const first = await joinAs(server, await login(server), created.code);
  const agents = [first.agent];
  for (let i = 1; i < 10; i++) {
    first.agent.send({ type: 'invite_create' });
    const { code } = await first.agent.next('invite_created');
    agents.push((await joinAs(server, await createAgent(server, 'agent', `Agent ${i}`), code)).agent);
  }
  t.after(() => agents.forEach((a) => a.ws.close()));
  const { encodeDomFrame, FLAG_DEFLATE } = await import('@samepage/protocol');
  host.ws.send(encodeDomFrame({ flags: FLAG_DEFLATE, epoch: 1, seq: 1 }, new Uint8Array([42])));
  for (let i = 0; i < 50 && !agents.every((a) => a.frames.length >= 2); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(agents.every((a) => a.frames.at(-1)?.at(-1) === 42));
  assert.equal(agents.length, 10);
});

test('past sessions list their agents and chat; notes are stored; another tenant sees none of it', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  const cookie = await login(server);
  const a = await joinAs(server, cookie, created.code);
  t.after(() => a.agent.ws.close());
  a.agent.send({ type: 'chat_send', clientId: 'x', text: 'Looking now' });
  await host.next('chat_message');
  host.send({ type: 'session_end' });
  await a.agent.next('session_ended');
  const post = await fetch(`${server.url}/api/sessions/${created.sessionId}/notes`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', 'x-samepage-csrf': '1' },
    body: JSON.stringify({ text: 'Customer could not find the coupon field.' }),
  });
  assert.equal(post.status, 201);
  const list = (await (await fetch(`${server.url}/api/sessions`, { headers: { cookie } })).json()) as { sessions: Array<{ id: string; agents: string[]; messageCount: number; endedBy: string }> };
  assert.deepEqual([list.sessions[0]?.id, list.sessions[0]?.agents, list.sessions[0]?.messageCount, list.sessions[0]?.endedBy], [created.sessionId, ['Admin'], 1, 'customer']);
  const detail = (await (await fetch(`${server.url}/api/sessions/${created.sessionId}`, { headers: { cookie } })).json()) as { chat: unknown[]; notes: Array<{ text: string }> };
  assert.equal(detail.chat.length, 1);
  assert.equal(detail.notes[0]?.text, 'Customer could not find the coupon field.');

  const other = await server.store.createTenant('Other Co');
  const { hashPassword } = await import('../auth/passwords.ts');
  await server.store.createUser({ tenantId: other.id, email: 'eve@other.test', name: 'Eve', role: 'admin', passwordHash: await hashPassword('password-123') });
  const eve = await login(server, 'eve@other.test', 'password-123');
  assert.equal((await fetch(`${server.url}/api/sessions/${created.sessionId}`, { headers: { cookie: eve } })).status, 404);
  const eveList = (await (await fetch(`${server.url}/api/sessions`, { headers: { cookie: eve } })).json()) as { sessions: unknown[] };
  assert.equal(eveList.sessions.length, 0);
});

test('what the widget shows goes out in host_status.ui, and a late joiner gets it at once in joined.hostUi', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  t.after(() => host.ws.close());
  const first = await joinAs(server, await login(server), created.code);
  t.after(() => first.agent.ws.close());
  assert.equal(first.joined.hostUi, undefined, 'nothing reported yet');
  host.send({ type: 'host_visibility', visible: true, ui: ['banner', 'chat'] });
  let status = await first.agent.next('host_status');
  while (!status.ui) status = await first.agent.next('host_status');
  assert.deepEqual(status.ui, ['banner', 'chat']);
  first.agent.send({ type: 'invite_create' });
  const invite = await first.agent.next('invite_created');
  const late = await joinAs(server, await createAgent(server, 'agent', 'Late'), invite.code);
  t.after(() => late.agent.ws.close());
  assert.deepEqual(late.joined.hostUi, ['banner', 'chat']);
});

/**
 * Scale-out, the cluster-wide parts (docs/SCALING.md): three server processes on one Redis and one
 * Postgres. What used to be per node is proven across nodes: agent availability, the live-visitors
 * list and co-browse requests, guest links, the supervisors' live-sessions list, the capacity
 * plan count, and "disconnect this user everywhere".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION, encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME, type ServerMessage, type ServerMessageOf } from '@samepage/protocol';
import { connect, login, type TestClient } from './relay/test-clients.ts';
import { consoleCall } from './http/api-test-client.ts';
import type { NodeProc } from './testing/cluster.ts';
import { at, clusterUnavailable, loginAdmin, openConsole, openHost, openPresence, startCluster, waitUntil } from './testing/cluster-harness.ts';

const skip = clusterUnavailable();

/** Waits for a message of `type` that passes `check`, without taking it off the list. */
async function seen<T extends ServerMessage['type']>(client: TestClient, type: T, check: (m: ServerMessageOf<T>) => boolean = () => true, what: string = type): Promise<ServerMessageOf<T>> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const found = client.messages.find((m): m is ServerMessageOf<T> => m.type === type && check(m as ServerMessageOf<T>));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${client.messages.map((m) => m.type).join(',')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const eventually = (check: () => Promise<boolean>, what: string) => waitUntil(check, what, { timeoutMs: 8000 });

const keyframe = (epoch: number, byte: number) => encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch, seq: 0 }, new Uint8Array([byte]));

test('three nodes share visitors, co-browse requests, agent availability, guest links, the live-sessions list, the capacity count and user disconnects', { skip: skip ? `skipped: ${skip}` : false, timeout: 120_000 }, async (t) => {
  const { nodes, sql, siteKey, track } = await startCluster(t, { nodes: 3 });
  const [A, B, C] = nodes as [NodeProc, NodeProc, NodeProc];
  const [cookieA, cookieB] = await Promise.all([A, B].map(loginAdmin));

  // Availability: a tab on A hears about a console opened and closed on B.
  const vera = await openPresence(A, siteKey, { id: 'u-vera', name: 'Vera' });
  track(vera.tab);
  assert.equal(vera.welcome.agentsOnline, false, 'no console open on any node');
  const briefly = await openConsole(B, cookieB!);
  assert.equal((await vera.tab.next('availability')).agentsOnline, true, 'a console on B counts for a tab on A');
  briefly.ws.close();
  assert.equal((await vera.tab.next('availability')).agentsOnline, false, 'and its leaving too');

  // The live-visitors list: a console on B sees the tabs on A and C, and their changes.
  const agentB = track(await openConsole(B, cookieB!));
  agentB.send({ type: 'visitors_subscribe' });
  const withVera = await seen(agentB, 'visitors', (m) => m.visitors.some((v) => v.identity?.id === 'u-vera'), 'Vera (on A) in the list on B');
  const veraId = withVera.visitors.find((v) => v.identity?.id === 'u-vera')!.visitorId;
  const carl = await openPresence(C, siteKey, { id: 'u-carl', name: 'Carl' });
  track(carl.tab);
  assert.equal(carl.welcome.agentsOnline, true, 'the console on B counts for a tab on C');
  await seen(agentB, 'visitors', (m) => m.visitors.length === 2 && m.visitors.some((v) => v.identity?.id === 'u-carl'), 'Carl (on C) added to the list on B');
  carl.tab.ws.close();
  await seen(agentB, 'visitors', (m) => m.visitors.length === 1 && m.visitors[0]?.visitorId === veraId, 'Carl gone from the list on B');

  // A co-browse request from B reaches Vera's tab on A; her answer comes back; her session starts on C.
  agentB.send({ type: 'cobrowse_request', visitorId: veraId });
  const asked = await vera.tab.next('cobrowse_requested');
  assert.deepEqual([asked.agentName, asked.company], ['Admin', 'Demo Company']);
  vera.tab.send({ type: 'cobrowse_answer', requestId: asked.requestId, accepted: true });
  const answered = await agentB.next('cobrowse_answered');
  assert.deepEqual([answered.accepted, answered.visitorId], [true, veraId]);
  const veraHost = track(await openHost(C, siteKey));
  veraHost.send({ type: 'session_start', requestId: asked.requestId });
  const cobrowsed = await veraHost.next('session_created');
  const joinedB = await agentB.next('joined');
  assert.equal(joinedB.sessionId, cobrowsed.sessionId, 'the agent on B is in the session on C at once');
  veraHost.ws.send(keyframe(1, 7));
  await eventually(async () => agentB.frames.length === 1, 'the page from C on B');
  await seen(agentB, 'visitors', (m) => m.visitors.some((v) => v.visitorId === veraId && v.inSession), 'Vera (on A) shown in a session (on C)');
  const again = track(await openHost(C, siteKey));
  again.send({ type: 'session_start', requestId: asked.requestId });
  assert.equal((await again.next('error')).code, 'not_found', 'a request starts one session only');
  again.ws.close();

  // Guest links: made on A, the session then moves to B, the friend opens the link on C.
  const sites = await consoleCall(at(A), cookieA!, 'GET', '/api/sites');
  const demo = (sites.body.sites as Array<{ id: string; siteKey: string }>).find((s) => s.siteKey === siteKey)!;
  assert.equal((await consoleCall(at(A), cookieA!, 'PATCH', `/api/sites/${demo.id}`, { policy: { allowGuests: true } })).status, 200);
  const shopper = track(await openHost(A, siteKey));
  shopper.send({ type: 'session_start' });
  const shop = await shopper.next('session_created');
  shopper.ws.send(keyframe(1, 1));
  shopper.send({ type: 'guest_invite_create' });
  const token = (await shopper.next('guest_invite_created')).url.split('/console/watch/')[1]!;
  const resumed = track(await connect(at(B)));
  resumed.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page: { url: `${B.url}/`, title: 'Shop' }, resume: { sessionId: shop.sessionId, token: shop.resumeToken } });
  const welcome = await resumed.next('welcome');
  assert.equal(welcome.resumed?.sessionId, shop.sessionId, 'the session moved to B');
  assert.equal((await shopper.closed).code, 4409, 'A handed it over');
  resumed.ws.send(encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: welcome.resumed!.nextEpoch, seq: welcome.resumed!.nextSeq }, new Uint8Array([2])));
  const guest = track(await connect(at(C)));
  guest.send({ type: 'guest_hello', v: PROTOCOL_VERSION, token, name: 'Friend' });
  const guestWelcome = await guest.next('welcome');
  const guestJoined = await guest.next('joined');
  assert.equal(guestJoined.sessionId, shop.sessionId);
  assert.equal(guestWelcome.guest?.participantId, guestJoined.participantId);
  await eventually(async () => guest.frames.length >= 1, 'the page from B on the guest on C');
  assert.equal((await resumed.next('participant_joined')).participant.role, 'guest');
  guest.send({ type: 'chat_send', clientId: 'g1', text: 'hi from C' });
  assert.equal((await resumed.next('chat_message')).message.text, 'hi from C', 'the guest chats through the home');
  guest.send({ type: 'control_request' });
  assert.equal((await guest.next('error')).code, 'permission_denied', 'the home checks what a guest on another node may do');
  const stranger = track(await connect(at(C)));
  stranger.send({ type: 'guest_hello', v: PROTOCOL_VERSION, token: 'not-a-real-token' });
  assert.equal((await stranger.next('error')).code, 'not_found');

  // The supervisors' live-sessions list and the capacity count, asked of A, which holds neither session.
  const liveOnA = async () => ((await consoleCall(at(A), cookieA!, 'GET', '/api/sessions/live')).body.sessions as Array<{ id: string; participants: Array<{ role: string }> }>).sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const both = await liveOnA();
  assert.deepEqual(both.map((s) => s.id), [cobrowsed.sessionId, shop.sessionId].sort());
  assert.deepEqual(both.find((s) => s.id === cobrowsed.sessionId)!.participants.map((p) => p.role).sort(), ['agent', 'host']);
  assert.deepEqual(both.find((s) => s.id === shop.sessionId)!.participants.map((p) => p.role).sort(), ['guest', 'host']);
  assert.equal((await consoleCall(at(A), cookieA!, 'GET', '/api/usage')).body.liveSessions, 2);
  await sql.query(`update tenants set plan = '{"kind":"capacity","limit":2}'`);
  const third = track(await openHost(A, siteKey));
  third.send({ type: 'session_start' });
  assert.equal((await third.next('error')).code, 'capacity_reached', 'two sessions on B and C fill a plan of two, asked on A');
  veraHost.send({ type: 'session_end' });
  await eventually(async () => (await liveOnA()).length === 1, 'the ended session leaves the list on A');
  third.send({ type: 'session_start' });
  assert.ok((await third.next('session_created')).sessionId, 'a place is free again');

  // "Disconnect this user everywhere": disabled on A, the user's consoles on B and C are cut.
  const created = await consoleCall(at(A), cookieA!, 'POST', '/api/users', { email: 'dana@example.test', name: 'Dana', role: 'agent', password: 'dana-password-1' });
  assert.equal(created.status, 201);
  const danaB = track(await openConsole(B, await login(at(B), 'dana@example.test', 'dana-password-1')));
  const danaC = track(await openConsole(C, await login(at(C), 'dana@example.test', 'dana-password-1')));
  assert.equal((await consoleCall(at(A), cookieA!, 'PATCH', `/api/users/${created.body.user.id}`, { disabled: true })).status, 200);
  for (const dana of [danaB, danaC]) {
    assert.equal((await dana.next('error')).code, 'forbidden');
    assert.equal((await dana.closed).code, 4403);
  }
  assert.equal(agentB.ws.readyState, agentB.ws.OPEN, 'other users stay connected');
});

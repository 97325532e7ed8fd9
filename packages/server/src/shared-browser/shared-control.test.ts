/**
 * Control of a shared browser (shared-control.ts, rules C1-C7): the customer, who joined with the
 * shared browser's link, asks for control, an agent hands it over, the customer navigates and
 * switches tabs, the agent takes it back. Real server, real sockets, a real Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { PROTOCOL_VERSION, type ServerMessage, type ServerMessageOf } from '@samepage/protocol';
import { startServer } from '../server.ts';
import { consoleCall } from '../http/api-test-client.ts';
import { connect, createAgent, joinAs, login, startHostSession, tenantOf, type TestClient } from '../relay/test-clients.ts';
import { sharedBrowsers } from './manager.ts';
import { SHARED_BROWSER_SDK_DIST } from './routes.ts';
import { countsAsPublic, startTwinSites } from './test-sites.ts';

const skip = !fs.existsSync('/usr/bin/chromium') && 'no /usr/bin/chromium';

/** The next message of `type` that passes `check` (earlier ones of that type are dropped). */
async function until<T extends ServerMessage['type']>(client: TestClient, type: T, check: (m: ServerMessageOf<T>) => boolean = () => true): Promise<ServerMessageOf<T>> {
  const seen: unknown[] = [];
  for (;;) {
    const m = await client.next(type, 10_000).catch((err: Error) => {
      throw new Error(`${err.message}; ${type} seen: ${JSON.stringify(seen)}`);
    });
    if (check(m)) return m;
    seen.push(m);
  }
}

async function joinAsGuest(server: { url: string } & Parameters<typeof connect>[0], token: string, name: string) {
  const guest = await connect(server);
  guest.send({ type: 'guest_hello', v: PROTOCOL_VERSION, token, name });
  const welcome = await guest.next('welcome');
  const joined = await guest.next('joined');
  return { guest, pid: welcome.guest!.participantId, joined };
}

test('shared browser: the customer asks for control, an agent hands it over, the customer navigates and switches tabs, the agent takes it back; checked and audited', { skip }, async (t) => {
  const sites = await startTwinSites();
  t.after(() => sites.close());
  const server = await startServer({ env: { SHARED_BROWSER: '1' } });
  t.after(() => server.close());
  const manager = sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST);
  manager.lookup = async (host) => (host === 'localhost' ? ['127.0.0.2'] : Promise.reject(new Error('no such host')));
  manager.isPrivate = countsAsPublic;
  const admin = await login(server);
  assert.equal((await consoleCall(server, admin, 'PUT', '/api/settings/shared-browser', { allow: [], block: ['http://localhost:*/blocked*'] })).status, 200);
  const base = `http://localhost:${sites.port}`;
  const opened = await consoleCall(server, admin, 'POST', '/api/shared-browser', { url: `${base}/tabs` });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  const tenantId = await tenantOf(server);
  const browser = manager.get(tenantId, opened.body.sessionId)!;
  const session = server.relay.sessions.get(opened.body.sessionId)!;

  const senior = await joinAs(server, await createAgent(server, 'senior_agent', 'Sam'), opened.body.code);
  assert.ok(senior.joined.sharedBrowser, 'agents are told it is a shared browser');
  const seniorPid = senior.joined.participantId;
  senior.agent.send({ type: 'invite_create' });
  const invite = await senior.agent.next('invite_created');
  const viewer = await joinAs(server, await createAgent(server, 'agent', 'Vic'), invite.code); // no session.control
  const { guest, pid: guestPid, joined } = await joinAsGuest(server, String(opened.body.customerUrl).split('/').pop()!, 'Ada');
  assert.deepEqual(joined.control, { controllerId: null, pending: [] });
  assert.ok(joined.sharedBrowser, 'the customer is told it is a shared browser (so the console offers control)');

  // Before control: the customer's actions are refused, and a customer cannot grant (C4, C5).
  guest.send({ type: 'control_action', actionId: 1, action: { kind: 'navigate', to: 'reload' } });
  assert.equal((await guest.next('control_result')).failure, 'not_controller');
  guest.send({ type: 'control_grant', participantId: guestPid });
  assert.equal((await guest.next('error')).code, 'permission_denied');

  // The customer asks; everyone sees the request; an agent without session.control may not answer (C3).
  guest.send({ type: 'control_request' });
  await until(senior.agent, 'control_state', (m) => m.reason === 'requested' && m.pending.includes(guestPid));
  viewer.agent.send({ type: 'control_grant', participantId: guestPid });
  assert.equal((await viewer.agent.next('error')).code, 'permission_denied');
  senior.agent.send({ type: 'control_grant', participantId: guestPid });
  const granted = await until(guest, 'control_state', (m) => m.controllerId === guestPid);
  assert.equal(granted.reason, 'granted');
  assert.deepEqual(granted.pending, []);

  // The customer drives: navigation (checked against the tenant's list first), back, tabs (C5).
  guest.send({ type: 'control_action', actionId: 2, action: { kind: 'navigate', to: 'url', url: '/blocked/page' } });
  const blocked = await guest.next('control_result');
  assert.equal(blocked.failure, 'origin_not_allowed');
  assert.match(blocked.message ?? '', /blocked by your organisation/);
  guest.send({ type: 'control_action', actionId: 3, action: { kind: 'navigate', to: 'url', url: `${base}/second` } });
  assert.equal((await guest.next('control_result')).ok, true);
  await until(guest, 'browser_tabs', (m) => m.tabs[0]?.url === `${base}/second`);
  guest.send({ type: 'control_action', actionId: 4, action: { kind: 'navigate', to: 'back' } });
  assert.equal((await guest.next('control_result')).ok, true);
  await until(guest, 'browser_tabs', (m) => m.tabs[0]?.url === `${base}/tabs`);
  await browser.active!.click('#open'); // the site opens a tab (target=_blank)
  await until(senior.agent, 'browser_tabs', (m) => m.tabs.length === 2);
  guest.send({ type: 'control_action', actionId: 5, action: { kind: 'tab', index: 1 } });
  assert.equal((await guest.next('control_result')).ok, true);
  const switched = await until(viewer.agent, 'browser_tabs', (m) => m.tabs[1]?.active === true);
  assert.equal(switched.tabs[1]!.url, `${base}/second`);
  assert.equal(browser.active, browser.pages[1]);

  // The page itself may not take control away (C6): the SDK's revoke is refused by the server.
  await browser.active!.waitForFunction('window.Samepage && window.Samepage.control.state().controllerId !== null', undefined, { timeout: 10_000 });
  const refusal = await browser.active!.evaluate(`new Promise((done) => { const off = window.Samepage.on('error', (e) => { off(); done(e.code); }); window.Samepage.control.revoke(); setTimeout(() => done('no answer from the server'), 5000); })`);
  assert.equal(refusal, 'permission_denied');
  assert.equal(session.control.controllerId, guestPid, 'the page could not revoke');

  // The agent takes control back (C2); the customer's next action is refused.
  senior.agent.send({ type: 'control_request' });
  const back = await until(guest, 'control_state', (m) => m.controllerId === seniorPid);
  assert.equal(back.reason, 'taken_back');
  guest.send({ type: 'control_action', actionId: 6, action: { kind: 'navigate', to: 'reload' } });
  assert.equal((await guest.next('control_result')).failure, 'not_controller');

  // Handed over again, then the customer leaves: control ends with them.
  senior.agent.send({ type: 'control_grant', participantId: guestPid });
  await until(senior.agent, 'control_state', (m) => m.controllerId === guestPid);
  guest.ws.close();
  const left = await until(senior.agent, 'control_state', (m) => m.controllerId === null);
  assert.equal(left.reason, 'left');

  // C7: every step is in the audit log, with who did it.
  const audit = (await server.store.listAudit(tenantId)).filter((a) => a.session_id === session.id).map((a) => ({ action: a.action, actor: a.actor_type, detail: JSON.parse(a.detail) as Record<string, unknown> }));
  const has = (action: string, actor: string, detail: Record<string, unknown> = {}) =>
    assert.ok(
      audit.some((a) => a.action === action && a.actor === actor && Object.entries(detail).every(([k, v]) => a.detail[k] === v)),
      `${action} by ${actor} ${JSON.stringify(detail)} in ${JSON.stringify(audit.map((a) => [a.action, a.actor]))}`,
    );
  has('control.requested', 'customer', { by: guestPid });
  has('control.granted', 'user', { participantId: guestPid });
  has('control.navigate', 'customer', { to: 'url', url: `${base}/second` });
  has('control.navigate', 'customer', { to: 'back' });
  has('control.tab', 'customer', { index: 1 });
  has('control.revoked', 'user', { participantId: guestPid });
  for (const c of [senior.agent, viewer.agent]) c.ws.close();
});

test('on a customer site a guest still watches only: control is refused', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  const link = server.relay.guestInvites.issue(created.sessionId, await tenantOf(server));
  const { guest } = await joinAsGuest(server, link.token, 'Friend');
  guest.send({ type: 'control_request' });
  assert.equal((await guest.next('error')).code, 'permission_denied');
  guest.send({ type: 'control_action', actionId: 1, action: { kind: 'navigate', to: 'reload' } });
  assert.equal((await guest.next('error')).code, 'permission_denied');
  for (const c of [guest, host]) c.ws.close();
});

/** Recordings: the relay stores a recorded site's frames as they pass; the API serves them as rrweb events, with permission, tenant scoping, audit and retention. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'fflate';
import { DeltaWindow, encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME, PROTOCOL_VERSION } from '@samepage/protocol';
import { startServer, type RunningServer } from '../server.ts';
import { connect, createAgent, joinAs, login, tenantOf } from '../relay/test-clients.ts';
import { hashPassword } from '../auth/passwords.ts';
import { purgeTenant } from '../retention.ts';
import { bearer, consoleCall } from './api-test-client.ts';

const enc = new TextEncoder();
const SKEW = -3600_000; // the customer's clock is an hour behind the server's

const meta = (href: string, ts: number) => ({ type: 4, data: { href, width: 800, height: 600 }, timestamp: ts });
const full = (heading: string, ts: number, filler = '') => ({
  type: 2,
  timestamp: ts,
  data: {
    initialOffset: { left: 0, top: 0 },
    node: {
      type: 0,
      id: 1,
      childNodes: [
        { type: 1, id: 2, name: 'html', publicId: '', systemId: '' },
        {
          type: 2, id: 3, tagName: 'html', attributes: {}, childNodes: [
            { type: 2, id: 4, tagName: 'head', attributes: {}, childNodes: [] },
            { type: 2, id: 5, tagName: 'body', attributes: {}, childNodes: [
              { type: 2, id: 6, tagName: 'h1', attributes: {}, childNodes: [{ type: 3, id: 7, textContent: heading }] },
              { type: 2, id: 8, tagName: 'p', attributes: {}, childNodes: [{ type: 3, id: 9, textContent: filler }] },
            ] },
          ],
        },
      ],
    },
  },
});
const text = (value: string, ts: number) => ({ type: 3, timestamp: ts, data: { source: 0, texts: [{ id: 7, value }], attributes: [], removes: [], adds: [] } });

/** The frames a customer's tab sends (PROTOCOL.md, "DOM stream"), with the bytes for comparing. */
function streamWriter() {
  let window = new DeltaWindow();
  let epoch = 0;
  let seq = 0;
  return {
    keyframe(events: unknown[]) {
      const bytes = enc.encode(JSON.stringify(events));
      window = new DeltaWindow();
      window.append(bytes);
      return encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: ++epoch, seq: seq++ }, deflateSync(bytes));
    },
    delta(events: unknown[]) {
      const bytes = enc.encode(JSON.stringify(events));
      const frame = encodeDomFrame({ flags: FLAG_DEFLATE, epoch, seq: seq++ }, deflateSync(bytes, { dictionary: window.dictionary() }));
      window.append(bytes);
      return frame;
    },
  };
}

/** A whole session on `siteKey`: two page loads, a text change, a chat message, an agent; ends by the customer. */
async function recordSession(server: RunningServer, siteKey: string, visitorId: string, filler = '') {
  const host = await connect(server);
  host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page: { url: server.url + '/', title: 'Shop' }, visitor: { id: visitorId, name: 'Val' } });
  const welcome = await host.next('welcome');
  host.send({ type: 'session_start' });
  const created = await host.next('session_created');
  const w = streamWriter();
  const now = () => Date.now() + SKEW;
  const frames = [w.keyframe([meta('https://shop.test/cart', now()), full('Your cart', now(), filler)])];
  host.ws.send(frames[0]!);
  const { agent } = await joinAs(server, await login(server), created.code);
  await new Promise((r) => setTimeout(r, 30));
  frames.push(w.delta([text('Your cart (1)', now())]));
  host.ws.send(frames[1]!);
  host.send({ type: 'chat_send', clientId: 'c1', text: 'Hello, can you see my cart?' });
  await host.next('chat_message');
  await new Promise((r) => setTimeout(r, 30));
  frames.push(w.keyframe([meta('https://shop.test/checkout', now()), full('Checkout', now())]));
  host.ws.send(frames[2]!);
  frames.push(w.delta([text('Checkout: paid', now())]));
  host.ws.send(frames[3]!);
  while (agent.frames.length < frames.length) await new Promise((r) => setTimeout(r, 10));
  host.send({ type: 'session_end' });
  await host.next('session_ended');
  host.ws.close();
  agent.ws.close();
  await new Promise((r) => setTimeout(r, 100));
  return { sessionId: created.sessionId, frames, welcome };
}

test('a recorded site: frames stored as received, served as rrweb events with markers; permission, tenant scope, audit, v1, export, delete and retention', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const tenantId = await tenantOf(server);
  const site = (await server.store.findSiteByKey(server.demoSiteKey))!;
  await server.store.updateSite(tenantId, site.id, { policy: { ...site.policy, recordSessions: true } });
  const plain = await server.store.createSite({ tenantId, name: 'Unrecorded', allowedOrigins: ['self'] });
  const db = server.store.db;

  // An unrecorded site stores nothing.
  const unrecorded = await recordSession(server, plain.siteKey, 'v-plain');
  assert.equal(unrecorded.welcome.policy?.recorded, false);
  assert.equal((await db.selectFrom('recording_chunks').selectAll().execute()).length, 0);

  const started = Date.now();
  const { sessionId, frames, welcome } = await recordSession(server, server.demoSiteKey, 'v-rec', 'x'.repeat(60_000));
  assert.equal(welcome.policy?.recorded, true, 'the customer is told');
  const rows = await db.selectFrom('recording_chunks').selectAll().where('session_id', '=', sessionId).orderBy('id').execute();
  assert.deepEqual(rows.map((r) => Buffer.from(r.bytes).toString('hex')), frames.map((f) => Buffer.from(f).toString('hex')), 'the bytes exactly as the tab sent them');
  assert.ok(rows.every((r) => Number(r.at) >= started && Number(r.at) <= Date.now()));

  const admin = await login(server);
  const list = await consoleCall(server, admin, 'GET', '/api/recordings');
  assert.equal(list.status, 200);
  assert.equal(list.body.recordings.length, 1);
  const summary = list.body.recordings[0];
  assert.equal(summary.sessionId, sessionId);
  assert.equal(summary.siteName, site.name);
  assert.ok(summary.endedAt !== null && summary.durationMs > 0);
  assert.equal(summary.sizeBytes, frames.reduce((n, f) => n + f.byteLength, 0));

  // The events: valid rrweb, Meta + FullSnapshot first, on the server's clock, never going back.
  const res = await fetch(`${server.url}/api/recordings/${sessionId}/events`, { headers: { cookie: admin, 'accept-encoding': 'gzip' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-encoding'), 'gzip', 'large recordings are gzipped');
  const events = (await res.json()) as Array<{ type: number; timestamp: number; data: any }>;
  assert.deepEqual([events[0]?.type, events[1]?.type], [4, 2]);
  assert.ok(Math.abs(events[0]!.timestamp - started) < 5000, 'timestamps are re-based on the server clock');
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.timestamp >= events[i - 1]!.timestamp, `timestamp ${i} goes back`);
  assert.equal(events.filter((e) => e.type === 4).length, 2, 'the second page load is a new Meta…');
  assert.equal(events.filter((e) => e.type === 2).length, 2, '…and a new FullSnapshot');
  assert.equal(events.filter((e) => e.type === 3).length, 2);
  const chat = events.find((e) => e.type === 5 && e.data.tag === 'samepage/chat');
  assert.equal(chat?.data.payload.label, 'Hello, can you see my cart?');
  assert.ok(events.some((e) => e.type === 5 && e.data.tag === 'samepage/navigation' && e.data.payload.url === 'https://shop.test/checkout'));

  const detail = await consoleCall(server, admin, 'GET', `/api/recordings/${sessionId}`);
  assert.equal(detail.status, 200);
  assert.deepEqual(detail.body.markers.map((m: any) => m.kind).sort(), ['chat', 'navigation']);
  assert.equal(detail.body.chat[0].text, 'Hello, can you see my cart?');
  assert.deepEqual(detail.body.recording.allowedOrigins, site.allowedOrigins);
  const audit = await server.adminStore.queryAudit(tenantId, { action: 'recording.view', limit: 10 });
  assert.deepEqual(audit.map((a) => [a.sessionId, a.detail.part]).sort(), [[sessionId, 'events'], [sessionId, 'metadata']]);

  // Permission and tenant scope.
  const agent = await createAgent(server, 'agent');
  for (const path of ['/api/recordings', `/api/recordings/${sessionId}`, `/api/recordings/${sessionId}/events`]) {
    assert.equal((await consoleCall(server, agent, 'GET', path)).status, 403, path);
  }
  const other = await server.store.createTenant('Other');
  await server.store.createUser({ tenantId: other.id, email: 'boss@other.test', name: 'Boss', role: 'admin', passwordHash: await hashPassword('password-123') });
  const foreign = await login(server, 'boss@other.test', 'password-123');
  assert.equal((await consoleCall(server, foreign, 'GET', `/api/recordings/${sessionId}`)).status, 404);
  assert.equal((await consoleCall(server, foreign, 'GET', `/api/recordings/${sessionId}/events`)).status, 404);
  assert.deepEqual((await consoleCall(server, foreign, 'GET', '/api/recordings')).body.recordings, []);

  // The public API lists it with a token.
  const v1 = bearer(server, (await server.api.createToken(tenantId, 'reporting', ['recordings.view'])).token);
  const v1List = await v1('GET', '/recordings');
  assert.equal(v1List.status, 200);
  assert.equal(v1List.body.recordings[0].sessionId, sessionId);
  assert.ok(Array.isArray((await v1('GET', `/recordings/${sessionId}/events`)).body));

  // A visitor's export includes the recording; retention purges it.
  const exported = await server.adminStore.exportVisitor(tenantId, 'v-rec');
  assert.equal(exported.recordings.length, 1);
  assert.equal(exported.recordings[0]?.events[0]?.type, 4);
  await server.tenants.setRetention(tenantId, { sessionsDays: null, chatDays: null, auditDays: null, recordingsDays: 1 });
  assert.equal((await purgeTenant(tenantId, server.tenants, server.adminStore, server.store)).recordings, 0, 'not old yet');
  const purged = await purgeTenant(tenantId, server.tenants, server.adminStore, server.store, Date.now() + 2 * 86_400_000);
  assert.equal(purged.recordings, 1);
  assert.equal((await db.selectFrom('recording_chunks').selectAll().execute()).length, 0);
  assert.equal((await consoleCall(server, admin, 'GET', `/api/recordings/${sessionId}`)).status, 404);
  assert.ok((await server.store.getSession(tenantId, sessionId)) !== null, 'the session itself follows sessionsDays');

  // Deleting a visitor's data deletes their recordings.
  const second = await recordSession(server, server.demoSiteKey, 'v-del');
  assert.equal((await server.adminStore.deleteVisitor(tenantId, 'v-del')).recordings, 1);
  assert.equal((await db.selectFrom('recordings').selectAll().where('session_id', '=', second.sessionId).execute()).length, 0);
  assert.equal((await db.selectFrom('recording_chunks').selectAll().execute()).length, 0);
});

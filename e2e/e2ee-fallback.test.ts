/**
 * End-to-end encryption over the HTTP streaming fallback (issue 9 with issue 6's transport
 * fallback): the server refuses every WebSocket upgrade (DISABLE_WEBSOCKETS=1, as a corporate
 * proxy would), so the customer's tab and the console both run on SSE + POST. Encrypted binary
 * frames travel both ways inside that framing (base64 `b` events down, kind-1 batch entries up):
 * pairing, the key, the DOM stream, chat both ways and control typed by the agent. No marker
 * shows up in any frame the server received or sent, or in its logs.
 *
 * Real server (teed: a stream connection is the same relay socket), real Chromium, the customer
 * on its own origin (CORS).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { decodeE2eeHeader } from '@samepage/protocol';
import { createUser, openConsole, openCustomer, withBrowser } from './support/collab.ts';
import { findCanaries, frameSources, makeCanaries, startCanarySite, startTappedServer } from './support/e2ee-harness.ts';
import { chatBothWays, typeUnderControl, verifyAgent } from './support/e2ee-pages.ts';

const AGENT = 'Ann Agent';

/** WebSockets that carried anything, and POSTs to /stream/:id. */
function watchTransport(page: Page) {
  const seen = { socketsOpened: 0, posts: 0, streams: 0 };
  page.on('websocket', (ws) => ws.on('framereceived', () => (seen.socketsOpened += 1)));
  page.on('request', (request) => {
    const p = new URL(request.url()).pathname;
    if (p === '/stream') seen.streams += 1;
    if (p.startsWith('/stream/') && request.method() === 'POST') seen.posts += 1;
  });
  return seen;
}

test('with WebSockets blocked, an end-to-end encrypted session runs over HTTP streaming: codes, keys, the page, chat both ways and control, all encrypted', async (t) => {
  const before = process.env.DISABLE_WEBSOCKETS;
  process.env.DISABLE_WEBSOCKETS = '1'; // read when the server starts
  t.after(() => (before === undefined ? delete process.env.DISABLE_WEBSOCKETS : (process.env.DISABLE_WEBSOCKETS = before)));
  const browser = await withBrowser(t);
  const server = await startTappedServer(t);
  const canaries = makeCanaries();
  const shop = await startCanarySite(t, server, canaries, { e2ee: true });
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, await createUser(server, 'senior_agent', AGENT));
  const customerWire = watchTransport(customer.page);
  const agentWire = watchTransport(agent.page);

  await customer.open(shop.pageUrl);
  const code = await customer.startSession();
  await agent.join(code);
  await agent.page.getByTestId('transport-notice').waitFor({ timeout: 10_000 });
  await verifyAgent(customer, agent, AGENT); // the pairing ran over the stream both ways
  await agent.waitForReplicaText(canaries.text, { timeout: 15_000 });

  await chatBothWays(customer, agent, canaries.chatFromCustomer, canaries.chatFromAgent);
  await typeUnderControl(customer, agent, AGENT, canaries.typed);

  assert.equal(customerWire.socketsOpened + agentWire.socketsOpened, 0, 'no WebSocket carried anything');
  // (The console opened its stream when it signed in, before it was watched.)
  assert.ok(customerWire.streams >= 1 && customerWire.posts > 0 && agentWire.posts > 0, JSON.stringify({ customerWire, agentWire }));

  // Which encrypted types the relay got from and sent to each side (over the stream).
  const typesOf = (role: 'host' | 'agent', dir: 'in' | 'out') => {
    const conns = new Set(server.conns.filter((c) => c.role === role).map((c) => c.id));
    return new Set(server.frames.filter((f) => conns.has(f.conn) && f.dir === dir && f.binary && f.data[0] === 0x02).map((f) => decodeE2eeHeader(f.data)?.type));
  };
  for (const type of ['pair', 'dom_keyframe', 'chat', 'key', 'ctl_result']) assert.ok(typesOf('host', 'in').has(type as never), `the tab sent ${type} up`);
  for (const type of ['pair', 'chat', 'ctl']) assert.ok(typesOf('host', 'out').has(type as never), `the tab received ${type}`);
  for (const type of ['pair', 'chat', 'ctl']) assert.ok(typesOf('agent', 'in').has(type as never), `the console sent ${type} up`);
  assert.equal(server.frames.filter((f) => f.binary && f.data[0] === 0x01).length, 0, 'no plaintext DOM frame');
  const sources = [...frameSources(server), ...server.logs.map((line, i): [string, string] => [`log line #${i}`, line])];
  assert.deepEqual(findCanaries(sources, Object.values(canaries)), []);
});

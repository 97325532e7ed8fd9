/**
 * The canary test of end-to-end encryption (issue 9, docs/E2EE.md): unique markers go into the
 * page's text, an attribute, an allowed input's value, the URL path, chat both ways and text an
 * agent types under control. The server's side of every socket is teed (every frame it received
 * and sent), and so are the late-join cache, the database file (recordings included) and the
 * server's log lines. With encryption on, no marker is found in any form (raw, base64, hex,
 * UTF-16, percent-encoded, or after inflating any frame or body). With encryption off the very
 * same session must show them, which proves the search can fail.
 *
 * Real server, real Chromium (customer and agent in their own contexts), a real SQLite file.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createUser, eventually, openConsole, openCustomer, withBrowser } from './support/collab.ts';
import { cacheSources, findCanaries, frameSources, makeCanaries, startCanarySite, startTappedServer, storageSources, type Canaries, type TappedServer } from './support/e2ee-harness.ts';
import { chatBothWays, typeUnderControl, verifyAgent } from './support/e2ee-pages.ts';

const AGENT = 'Ann Agent';

/** Registers a tenant recording key (HPKE P-256 public key), so encrypted sessions are recorded as ciphertext. */
async function registerRecordingKey(server: TappedServer): Promise<void> {
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1' },
    body: JSON.stringify({ email: server.admin.email, password: server.admin.password }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { publicKey } = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const raw = Buffer.from(await crypto.subtle.exportKey('raw', publicKey)).toString('base64url');
  const res = await fetch(`${server.url}/api/settings/recording-key`, {
    method: 'PUT',
    headers: { cookie, 'content-type': 'application/json', 'x-samepage-csrf': '1' },
    body: JSON.stringify({ publicKey: raw }),
  });
  assert.equal(res.status, 200, 'the recording key is registered');
}

/** One whole session on the canary page; returns every place a canary was found. */
async function runSession(t: TestContext, e2ee: boolean): Promise<{ found: string[]; canaries: Canaries; server: TappedServer }> {
  const browser = await withBrowser(t);
  const server = await startTappedServer(t);
  const canaries = makeCanaries();
  const shop = await startCanarySite(t, server, canaries, { e2ee, recordSessions: true });
  if (e2ee) await registerRecordingKey(server);
  const user = await createUser(server, 'senior_agent', AGENT);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, user);

  await customer.open(shop.pageUrl);
  const code = await customer.startSession();
  await agent.join(code);
  if (e2ee) await verifyAgent(customer, agent, AGENT);

  // Every canary reached the agent: the page text, the attribute and the allowed input's value.
  await agent.waitForReplicaText(canaries.text, { timeout: 15_000 });
  const replica = await agent.replica();
  assert.ok(replica?.html.includes(canaries.attribute), 'the attribute reached the replica');
  assert.ok(replica?.values.includes(canaries.input), 'the allowed input value reached the replica');

  // Chat both ways.
  await chatBothWays(customer, agent, canaries.chatFromCustomer, canaries.chatFromAgent);

  // Text the agent types under control lands in the customer's page.
  await typeUnderControl(customer, agent, AGENT, canaries.typed);
  await agent.waitForReplicaValue('#typed', canaries.typed, { timeout: 10_000 });

  const cache = cacheSources(server);
  assert.ok(cache.length > 0, 'the late-join cache holds frames');
  // Ending the session writes the recording and the chat.
  await customer.stop();
  await eventually(async () => storageSources(server).some(([where]) => where.startsWith('table recording')), true, 'a recording was stored', 10_000);
  const sources = [...frameSources(server), ...cache, ...storageSources(server), ...server.logs.map((line, i): [string, string] => [`log line #${i}`, line])];
  return { found: findCanaries(sources, Object.values(canaries)), canaries, server };
}

test('canary: with end-to-end encryption on, no marker from the page, the URL, the chat or agent typing appears in any frame, cache entry, stored row or log line, in any encoding', async (t) => {
  const { found, server } = await runSession(t, true);
  assert.deepEqual(found, []);
  // The stream really was encrypted (not just absent): the customer sent encrypted DOM frames.
  const sealed = server.frames.filter((f) => f.dir === 'in' && f.binary && f.data[0] === 0x02 && (f.data[2] === 0x01 || f.data[2] === 0x02));
  assert.ok(sealed.length > 0, 'encrypted DOM frames went through the relay');
  assert.equal(server.frames.filter((f) => f.binary && f.data[0] === 0x01).length, 0, 'no plaintext DOM frame at all');
});

test('canary control: the same session without encryption shows every marker to the same search (the test can fail)', async (t) => {
  const { found, canaries } = await runSession(t, false);
  for (const [name, canary] of Object.entries(canaries)) {
    assert.ok(
      found.some((f) => f.startsWith(`${canary} `)),
      `the ${name} canary must be found without encryption; found: ${found.slice(0, 5).join('; ')}`,
    );
  }
});

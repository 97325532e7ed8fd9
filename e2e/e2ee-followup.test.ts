/**
 * "Leave a message" on an end-to-end encrypted site (issue 9, docs/E2EE.md "Follow-up
 * messages"): the message is not part of an encrypted session, so followup.js keeps the page's
 * address out of it: the origin only, no path, no title, no snapshot. That holds with `data-e2ee`
 * on the snippet and with the site's policy alone (read from POST /followup/status), and the
 * server itself keeps only the origin of whatever page URL an encrypted site's message carries.
 * Without encryption the very same steps store the full address (the test can fail).
 *
 * Real server, real Chromium, the customer's site on its own origin, a real SQLite file.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { openCustomer, withBrowser } from './support/collab.ts';
import { makeCanaries, startCanarySite, startTappedServer, type CanarySite, type TappedServer } from './support/e2ee-harness.ts';

/** Leaves a message through the SDK's API; returns what the tab posted and the page URL stored. */
async function leaveMessage(t: TestContext, server: TappedServer, shop: CanarySite, text: string): Promise<{ posted: string[]; stored: { url: string; title: string } }> {
  const browser = await withBrowser(t);
  const customer = await openCustomer(browser);
  const posted: string[] = [];
  customer.page.on('request', (request) => {
    if (request.url().includes('/followup/')) posted.push(request.postData() ?? '');
  });
  await customer.page.goto(shop.pageUrl);
  await customer.page.waitForFunction('typeof window.Samepage?.leaveMessage === "function"', null, { timeout: 15_000 });
  await customer.page.evaluate(`window.Samepage.leaveMessage({ text: ${JSON.stringify(text)}, attachSnapshot: true })`);
  const row = await server.store.db.selectFrom('followups').select(['page_url', 'page_title']).where('site_id', '=', shop.site.id).executeTakeFirstOrThrow();
  return { posted, stored: { url: row.page_url, title: row.page_title } };
}

test('on an end-to-end encrypted site a message carries the page’s origin only (data-e2ee, or the site policy alone); without encryption the full address', async (t) => {
  const server = await startTappedServer(t);

  // data-e2ee on the snippet.
  const c1 = makeCanaries();
  const marked = await startCanarySite(t, server, c1, { e2ee: true });
  const one = await leaveMessage(t, server, marked, 'help please');
  assert.deepEqual(one.stored, { url: `${marked.origin}/`, title: '' });
  assert.ok(!one.posted.some((body) => body.includes(c1.url)), 'the path never left the tab');
  assert.ok(!one.posted.some((body) => body.includes('"snapshot"')), 'no snapshot either');

  // No attribute, only the site's policy: followup.js learns it from /followup/status.
  const c2 = makeCanaries();
  const byPolicy = await startCanarySite(t, server, c2, { e2ee: false });
  await server.store.updateSite(byPolicy.site.tenantId, byPolicy.site.id, { policy: { ...byPolicy.site.policy, e2ee: true } });
  const two = await leaveMessage(t, server, byPolicy, 'help please');
  assert.deepEqual(two.stored, { url: `${byPolicy.origin}/`, title: '' });
  assert.ok(!two.posted.some((body) => body.includes(c2.url)), 'the path never left the tab');

  // The control: an unencrypted site keeps the full address, so the checks above can fail.
  const c3 = makeCanaries();
  const plain = await startCanarySite(t, server, c3, { e2ee: false });
  const three = await leaveMessage(t, server, plain, 'help please');
  assert.equal(three.stored.url, plain.pageUrl);
  assert.equal(three.stored.title, 'Shop');
});

test('the public endpoint keeps only the origin of the page URL an encrypted site’s message carries, whatever the client sent', async (t) => {
  const server = await startTappedServer(t);
  const canaries = makeCanaries();
  const shop = await startCanarySite(t, server, canaries, { e2ee: true });
  const res = await fetch(`${server.url}/followup/messages`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: shop.origin },
    body: JSON.stringify({ siteKey: shop.site.siteKey, text: 'from an old SDK', page: { url: shop.pageUrl + '?q=1', title: 'Order 1234' } }),
  });
  assert.equal(res.status, 201);
  const status = (await (await fetch(`${server.url}/followup/status`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: shop.origin }, body: JSON.stringify({ siteKey: shop.site.siteKey }) })).json()) as { e2ee?: boolean };
  assert.equal(status.e2ee, true, 'the status tells followup.js');
  const row = await server.store.db.selectFrom('followups').select(['page_url', 'page_title']).where('site_id', '=', shop.site.id).executeTakeFirstOrThrow();
  assert.deepEqual({ url: row.page_url, title: row.page_title }, { url: `${shop.origin}/`, title: '' });
});

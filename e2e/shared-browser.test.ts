/**
 * "Open a website" (issue 7, question 22), end to end: a separate local site with NO SDK, opened
 * by the agent from the console in a shared Chromium on the server. The agent and the customer
 * (a guest, through the invite link) both see it; the form is filled in under control and
 * submitted; when the session ends the shared browser's whole process tree is gone.
 *
 * Control: the customer joins as a guest, who watches (view only). The agent takes control (the
 * shared browser grants it at once: nobody sits at it) and fills in the form on the customer's
 * behalf while the customer watches. Customer-side control is not built (docs/SHARED-BROWSER.md).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createUser, eventually, openConsole, withBrowser } from './support/collab.ts';
import { ConsolePage } from './support/console-page.ts';
import { withServer } from './support/server.ts';
import { sharedBrowsers } from '../packages/server/src/shared-browser/manager.ts';
import { SHARED_BROWSER_SDK_DIST } from '../packages/server/src/shared-browser/routes.ts';
import { isAlive, listProcesses } from '../packages/server/src/shared-browser/proc.ts';

const FORM_PAGE = `<!doctype html><html><head><title>Contact form</title></head><body>
<h1>Contact us</h1>
<form id="f">
  <label>Name <input id="name" name="name" autocomplete="off"></label>
  <label>Email <input id="email" name="email" type="email" autocomplete="off"></label>
  <button id="send" type="submit">Send</button>
</form>
<p id="out"></p>
<script>
  document.getElementById('f').addEventListener('submit', (e) => {
    e.preventDefault();
    document.getElementById('out').textContent = 'Thanks, ' + document.getElementById('name').value;
  });
</script></body></html>`;

async function startPlainSite(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(FORM_PAGE);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

test('open a website: the agent opens a site with no SDK, the customer watches by link, the form is filled in under control, and the browser process is gone at the end', async (t) => {
  const site = await startPlainSite();
  t.after(() => site.close());
  const browser = await withBrowser(t);
  const server = await withServer(t, { SHARED_BROWSER: '1', SHARED_BROWSER_ALLOW_PRIVATE: '1' });
  const agentUser = await createUser(server, 'senior_agent', 'Sam Rivera');
  const agent = await openConsole(browser, server, agentUser);

  // The agent opens the URL from the home page and lands in the session.
  await agent.page.getByLabel('Website address').fill(site.url);
  await agent.page.getByRole('button', { name: 'Open', exact: true }).click();
  await agent.page.waitForURL(/\/console\/session\//, { timeout: 20_000 });
  await agent.waitForReplicaText('Contact us', { timeout: 15_000 });
  const sessionId = new URL(agent.page.url()).pathname.split('/').pop()!;

  const tenantId = (await server.store.findSiteByKey(server.demoSiteKey))!.tenantId;
  const shared = sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST).get(tenantId, sessionId);
  assert.ok(shared, 'a shared browser runs for this session');
  const pids = [...shared.seenPids];
  assert.ok(pids.length > 0);

  // The tabs are listed (one, streamed).
  await agent.page.getByRole('navigation', { name: 'Shared browser tabs' }).getByRole('button', { name: 'Contact form' }).waitFor({ timeout: 5_000 });

  // The customer opens the invite link in another browser context and sees the page too.
  const customerUrl = await agent.page.getByLabel('Customer link').inputValue();
  assert.match(customerUrl, /\/console\/watch\//);
  const customerContext = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const customerPage = await customerContext.newPage();
  await customerPage.goto(customerUrl);
  await customerPage.getByLabel('Your name').fill('Ada');
  await customerPage.getByRole('button', { name: 'Watch', exact: true }).click();
  const customer = new ConsolePage(customerPage, server.url);
  await customer.waitForReplicaText('Contact us', { timeout: 15_000 });

  // Control: granted at once by the shared browser; the agent fills in the form and submits.
  await agent.page.getByRole('button', { name: 'Request control' }).click();
  await agent.waitInControl();
  await agent.clickReplica('#name');
  await agent.page.keyboard.type('Ada Lovelace');
  await agent.clickReplica('#email');
  await agent.page.keyboard.type('ada@example.test');
  // Input values are masked in the replica (the SDK's default redaction): check the real page.
  await eventually(() => shared.active!.inputValue('#email'), 'ada@example.test', 'typed text reaches the shared browser');
  assert.equal(await shared.active!.inputValue('#name'), 'Ada Lovelace');
  await agent.clickReplica('#send');

  // Both see the page's answer.
  await agent.waitForReplicaText('Thanks, Ada Lovelace', { timeout: 10_000 });
  await customer.waitForReplicaText('Thanks, Ada Lovelace', { timeout: 10_000 });
  assert.equal(await shared.active!.textContent('#out'), 'Thanks, Ada Lovelace', 'the real page in the shared browser got the submit');

  // The session ends (as POST /api/v1/sessions/:id/end does): the browser and its processes are gone.
  server.relay.sessions.get(sessionId)!.apply({ type: 'system_ended', reason: 'ended_by_api' });
  const until = Date.now() + 15_000;
  while (sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST).running.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  assert.equal(sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST).running.size, 0, 'the shared browser closed');
  assert.deepEqual([...shared.seenPids].filter(isAlive), [], 'no process of the shared browser is left');
  assert.deepEqual(listProcesses().filter((p) => p.cmdline.includes(shared.marker)), [], 'no orphaned Chromium');
  await customerContext.close();
});

/**
 * "Open a website" (issue 7, question 22), end to end: a separate local site with NO SDK, opened
 * by the agent from the console in a shared Chromium on the server. The agent and the customer
 * (who joins with the link the agent gives them) both see it. The customer asks for control, the
 * agent gives it, and the CUSTOMER fills in the form (the agent sees the typing live), scrolls,
 * uses the address bar and Back, and switches tabs; the agent takes control back. When the
 * session ends the shared browser's whole process tree is gone.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createUser, eventually, openConsole, withBrowser } from './support/collab.ts';
import { ConsolePage } from './support/console-page.ts';
import { withServer } from './support/server.ts';
import { tenantIdOf } from './support/fixture-site.ts';
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
<p id="preview"></p>
<p id="out"></p>
<p><a id="help" href="/help" target="_blank">Help (opens a tab)</a></p>
<div style="height: 3000px"></div>
<p id="bottom">End of the page</p>
<script>
  const name = document.getElementById('name');
  // The page echoes what is typed, so the agent can see typing live although input values are masked.
  name.addEventListener('input', () => { document.getElementById('preview').textContent = 'Name: ' + name.value; });
  document.getElementById('f').addEventListener('submit', (e) => {
    e.preventDefault();
    document.getElementById('out').textContent = 'Thanks, ' + name.value;
  });
</script></body></html>`;

const PAGES: Record<string, string> = {
  '/': FORM_PAGE,
  '/next': '<!doctype html><title>Next page</title><h1>Next page</h1>',
  '/help': '<!doctype html><title>Help</title><h1>Help page</h1>',
};

async function startPlainSite(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const body = PAGES[new URL(req.url ?? '/', 'http://x').pathname];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

test('open a website: the agent opens a site with no SDK, the customer joins by link, asks for control and fills in the form, scrolls, navigates and switches tabs; the agent sees it live and takes control back; the browser process is gone at the end', async (t) => {
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
  const shared = sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST).get(await tenantIdOf(server), sessionId);
  assert.ok(shared, 'a shared browser runs for this session');
  assert.ok(shared.seenPids.size > 0);
  const agentTabs = agent.page.getByRole('navigation', { name: 'Shared browser tabs' });
  await agentTabs.getByRole('button', { name: 'Contact form' }).waitFor({ timeout: 5_000 });

  // The customer opens the link in another browser context and sees the page too.
  const customerUrl = await agent.page.getByLabel('Customer link').inputValue();
  assert.match(customerUrl, /\/console\/watch\//);
  const customerContext = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  t.after(() => customerContext.close());
  const customerPage = await customerContext.newPage();
  await customerPage.goto(customerUrl);
  await customerPage.getByLabel('Your name').fill('Ada');
  await customerPage.getByRole('button', { name: 'Watch', exact: true }).click();
  const customer = new ConsolePage(customerPage, server.url);
  await customer.waitForReplicaText('Contact us', { timeout: 15_000 });
  await customer.controlState().getByText('Nobody is driving the shared browser').waitFor({ timeout: 5_000 });

  // The customer asks for control; the agent sees the request and gives it.
  await customerPage.getByRole('button', { name: 'Ask for control' }).click();
  await customer.controlState().getByText('Waiting for the agent…').waitFor({ timeout: 5_000 });
  const request = agent.page.getByRole('group', { name: 'Ada asks for control' });
  await request.getByRole('button', { name: 'Give control' }).click();
  await customer.waitInControl();
  await customer.controlState().getByText('You are in control').waitFor({ timeout: 5_000 });
  await agent.controlState().getByText('Ada (customer) is in control').waitFor({ timeout: 5_000 });

  // The customer fills in the form; the agent sees the typing live (the page echoes it; the
  // field values themselves stay masked by the SDK's default redaction).
  await customer.clickReplica('#name');
  await customerPage.keyboard.type('Ada Lovelace');
  await agent.waitForReplicaTextAt('#preview', 'Name: Ada Lovelace', { timeout: 10_000 });
  await customer.clickReplica('#email');
  await customerPage.keyboard.type('ada@example.test');
  await eventually(() => shared.active!.inputValue('#email'), 'ada@example.test', 'typed text reaches the shared browser');
  assert.equal(await shared.active!.inputValue('#name'), 'Ada Lovelace');
  await customer.clickReplica('#send');
  await agent.waitForReplicaText('Thanks, Ada Lovelace', { timeout: 10_000 });
  await customer.waitForReplicaText('Thanks, Ada Lovelace', { timeout: 10_000 });
  assert.equal(await shared.active!.textContent('#out'), 'Thanks, Ada Lovelace', 'the real page in the shared browser got the submit');

  // Scrolling: the customer's wheel over the replica scrolls the real page.
  const middle = await customer.replicaPoint('#out');
  await customerPage.mouse.move(middle.x, middle.y);
  await customerPage.mouse.wheel(0, 600);
  await eventually(async () => Number(await shared.active!.evaluate('scrollY')) > 0, true, 'the shared page scrolled');
  await shared.active!.evaluate('scrollTo(0, 0)');

  // The address bar and Back: both replicas follow.
  const nav = customerPage.getByRole('form', { name: 'Navigate the customer’s tab' });
  await nav.getByLabel('Go to URL').fill(`${site.url}next`);
  await nav.getByRole('button', { name: 'Go', exact: true }).click();
  await customer.waitForReplicaText('Next page', { timeout: 15_000 });
  await agent.waitForReplicaText('Next page', { timeout: 15_000 });
  await customerPage.getByRole('form', { name: 'Navigate the customer’s tab' }).getByRole('button', { name: 'Back' }).click();
  await customer.waitForReplicaText('Contact us', { timeout: 15_000 });
  await agent.waitForReplicaText('Contact us', { timeout: 15_000 });

  // Tabs: the site opens one; the customer switches to it; both see it.
  await customer.clickReplica('#help');
  const customerTabs = customerPage.getByRole('navigation', { name: 'Shared browser tabs' });
  await customerTabs.getByRole('button', { name: 'Help' }).click({ timeout: 10_000 });
  await customer.waitForReplicaText('Help page', { timeout: 15_000 });
  await agent.waitForReplicaText('Help page', { timeout: 15_000 });
  await agentTabs.getByRole('button', { name: 'Help' }).and(agent.page.locator('[aria-current="page"]')).waitFor({ timeout: 5_000 });

  // The agent takes control back; the customer is told, and their input no longer acts.
  await agent.page.getByRole('button', { name: 'Take back control' }).click();
  await agent.waitInControl();
  await customer.controlState().getByText('Sam Rivera is in control').waitFor({ timeout: 5_000 });
  await customer.notices().getByText('Sam Rivera took control back.').waitFor({ timeout: 5_000 });
  assert.equal(await customerPage.getByRole('application', { name: /your clicks, keys and scrolling act on it/ }).count(), 0);

  // Audited like control on a customer's site, with who did it.
  const audit = (await server.store.listAudit(await tenantIdOf(server))).filter((a) => a.session_id === sessionId).map((a) => `${a.action}:${a.actor_type}`);
  for (const entry of ['control.requested:customer', 'control.granted:user', 'control.navigate:customer', 'control.tab:customer', 'control.revoked:user']) assert.ok(audit.includes(entry), `${entry} in ${audit.join(', ')}`);

  // The session ends (as POST /api/v1/sessions/:id/end does): the browser and its processes are gone.
  server.relay.sessions.get(sessionId)!.apply({ type: 'system_ended', reason: 'ended_by_api' });
  const until = Date.now() + 15_000;
  while (sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST).running.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  assert.equal(sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST).running.size, 0, 'the shared browser closed');
  assert.deepEqual([...shared.seenPids].filter(isAlive), [], 'no process of the shared browser is left');
  assert.deepEqual(listProcesses().filter((p) => p.cmdline.includes(shared.marker)), [], 'no orphaned Chromium');
  await customer.page.getByText(/session (has )?ended/i).first().waitFor({ timeout: 5_000 });
});

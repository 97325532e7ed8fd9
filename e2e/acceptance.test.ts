/**
 * Bugs a new user found by embedding the snippet in their own pages and using the console: a
 * single-page app, a web component, a same-origin frame, and the console at a laptop's width.
 * Fixture pages: e2e/fixtures/acceptance/, served from their own origin like a customer's site.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { ConsolePage } from './support/console-page.ts';
import { createUser, eventually, grantControl, openConsole, openCustomer, startAndJoin, withBrowser, type TestUser } from './support/collab.ts';
import { tenantIdOf } from './support/fixture-site.ts';
import { withServer, type TestServer } from './support/server.ts';

const FIXTURES = new URL('./fixtures/acceptance/', import.meta.url);

/** Serves the acceptance pages (any /spa/* path is the single-page app) on an origin of their own, registered as a site. */
async function startAcceptanceSite(t: TestContext, server: TestServer): Promise<{ url(path: string): string }> {
  const values = { SERVER: server.url, SITE_KEY: '' };
  const site = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const name = path.startsWith('/spa/') ? 'spa.html' : /^\/([\w-]+\.html)$/.exec(path)?.[1];
    const file = name ? new URL(name, FIXTURES) : null;
    if (!file || !fs.existsSync(file)) return void res.writeHead(404).end('not found');
    let html = fs.readFileSync(file, 'utf8');
    for (const [key, value] of Object.entries(values)) html = html.replaceAll(`__${key}__`, value);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => site.close(() => resolve())));
  site.on('connection', (socket) => t.after(() => socket.destroy()));
  const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const record = await server.store.createSite({ tenantId: await tenantIdOf(server), name: 'Acceptance pages', allowedOrigins: [origin], policy: { allowNavigation: true } });
  values.SITE_KEY = record.siteKey;
  return { url: (path) => new URL(path, origin).href };
}

async function setUp(t: TestContext): Promise<{ browser: Browser; server: TestServer; site: { url(path: string): string }; user: TestUser }> {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const site = await startAcceptanceSite(t, server);
  return { browser, server, site, user: await createUser(server, 'senior_agent', 'Sam Rivera') };
}

test("a single-page app's pushState and back: the console's header and address bar show the customer's current page", async (t) => {
  const { browser, server, site, user } = await setUp(t);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, user);
  await startAndJoin(customer, agent, site.url('/spa/home'), 'Welcome home');
  // The header names the page; its tooltip is the address.
  await agent.page.getByTitle(site.url('/spa/home')).filter({ hasText: 'Shop home' }).waitFor({ timeout: 5_000 });

  await customer.page.getByRole('link', { name: 'Products' }).click();
  await agent.waitForReplicaText('All products');
  await agent.page.getByTitle(site.url('/spa/products')).filter({ hasText: 'Products' }).waitFor({ timeout: 5_000 });

  await grantControl(customer, agent, user.name);
  const address = agent.page.getByRole('textbox', { name: 'Go to URL' });
  assert.equal(await address.inputValue(), site.url('/spa/products'), 'the address bar starts at the current page');
  await agent.button('Back').click();
  await agent.waitForReplicaText('Welcome home');
  await agent.page.getByTitle(site.url('/spa/home')).filter({ hasText: 'Shop home' }).waitFor({ timeout: 5_000 });
  await eventually(() => address.inputValue(), site.url('/spa/home'), 'the address bar after Back');
});

test('an agent in control clicks a button inside a web component (open shadow root): the button gets the click, not its host', async (t) => {
  const { browser, server, site, user } = await setUp(t);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, user);
  await startAndJoin(customer, agent, site.url('/shadow.html'), 'Custom elements');
  await grantControl(customer, agent, user.name);
  const like = customer.page.locator('like-card').getByRole('button');
  assert.equal(await like.textContent(), 'Likes: 0');

  // Where the shadow button is on the console (replicaPoint's selectors do not reach into shadow roots).
  const point = await agent.page.evaluate(`(() => {
    const doc = window.__samepageReplica.document();
    const button = doc.querySelector('like-card').shadowRoot.querySelector('#like');
    const layer = document.querySelector('[data-testid="replica-input"]').getBoundingClientRect();
    const scale = Number(document.querySelector('[data-testid="replica"]').dataset.scale);
    const box = button.getBoundingClientRect();
    return { x: layer.left + (box.left + box.width / 2) * scale, y: layer.top + (box.top + box.height / 2) * scale };
  })()`) as { x: number; y: number };
  await agent.page.mouse.click(point.x, point.y);
  await eventually(() => like.textContent(), 'Likes: 1', "the customer's shadow button after the agent's click");
});

test("an agent's drawings leave the customer's page (and the other consoles) when that agent leaves", async (t) => {
  const { browser, server, site, user } = await setUp(t);
  const customer = await openCustomer(browser);
  const sam = await openConsole(browser, server, user);
  await startAndJoin(customer, sam, site.url('/shadow.html'), 'Custom elements');
  const jo = await openConsole(browser, server, await createUser(server, 'supervisor', 'Jo Park'));
  await jo.page.getByRole('region', { name: 'Live sessions' }).getByRole('button', { name: /^Join/ }).click();
  await jo.waitForReplicaText('Custom elements');

  await sam.tool('Draw');
  const from = await sam.replicaPoint('h1', { fx: 0, fy: 0.5 });
  const to = await sam.replicaPoint('h1', { fx: 1, fy: 0.5 });
  await sam.dragReplica(from, to);
  const strokes = customer.page.locator('samepage-widget .sp-drawing polyline');
  await eventually(() => strokes.count(), 1, "strokes on the customer's page while Sam is here");
  const joStrokes = jo.page.getByTestId('drawings').locator('polyline.draw-stroke');
  await eventually(() => joStrokes.count(), 1, "strokes on Jo's replica while Sam is here");

  await sam.button('Leave').click();
  await eventually(() => strokes.count(), 0, "strokes on the customer's page after Sam left");
  await eventually(() => joStrokes.count(), 0, "strokes on Jo's replica after Sam left");
});

test('the focus ring of a field inside a same-origin frame is drawn over that field, not at the top left of the page', async (t) => {
  const { browser, server, site, user } = await setUp(t);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, user);
  await startAndJoin(customer, agent, site.url('/frame.html'), 'Page with a frame');
  await customer.page.frameLocator('#inner').getByLabel('Frame field').click();
  const ring = agent.page.getByTestId('focus-outline');
  await ring.waitFor({ timeout: 5_000 });
  const box = await ring.boundingBox();
  assert.ok(box);
  const frameTopLeft = await agent.replicaPoint('iframe', { fx: 0, fy: 0 });
  const frameBottomRight = await agent.replicaPoint('iframe', { fx: 1, fy: 1 });
  const middle = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  assert.ok(
    middle.x > frameTopLeft.x && middle.x < frameBottomRight.x && middle.y > frameTopLeft.y && middle.y < frameBottomRight.y,
    `focus ring at ${JSON.stringify(middle)}, the frame spans ${JSON.stringify(frameTopLeft)} to ${JSON.stringify(frameBottomRight)}`,
  );
});

test('the console at 1280 × 800: every page of the top navigation is in view (none scrolled out of the bar)', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  const admin = new ConsolePage(page, server.url);
  await admin.login(server.admin.email, server.admin.password);
  const links = page.getByRole('navigation', { name: 'Administration' }).getByRole('link');
  const names = await links.allInnerTexts();
  assert.ok(names.length >= 7, `the admin's navigation: ${names.join(', ')}`);
  for (const link of await links.all()) {
    const box = await link.boundingBox();
    assert.ok(box, 'a link with a box');
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest('a')?.textContent ?? null, [box.x + box.width / 2, box.y + box.height / 2] as const);
    assert.equal(hit, await link.textContent(), `"${await link.textContent()}" is under its own middle (not clipped or covered)`);
  }
});

test('a console page whose code fails to load (server upgraded meanwhile) says so with a Reload button, not a blank page', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  const admin = new ConsolePage(page, server.url);
  await admin.login(server.admin.email, server.admin.password);
  await page.route('**/console/assets/InboxPage-*.js', (route) => route.abort());
  await page.getByRole('link', { name: /^Inbox/ }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'This page could not be loaded.' });
  await alert.waitFor({ timeout: 5_000 });
  await page.getByRole('navigation', { name: 'Administration' }).waitFor(); // the rest of the console stays
  await page.unroute('**/console/assets/InboxPage-*.js');
  await alert.getByRole('button', { name: 'Reload' }).click();
  await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor({ timeout: 10_000 });
});

test('API tokens from the console: an admin creates one on the API tokens page, sees its secret once, uses it on /api/v1, and revokes it', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  const admin = new ConsolePage(page, server.url);
  await admin.login(server.admin.email, server.admin.password);
  await page.getByRole('link', { name: 'API tokens' }).click();
  await page.getByLabel('Token name').fill('Helpdesk');
  await page.getByRole('group', { name: 'Permissions' }).getByRole('checkbox', { name: 'View sessions' }).check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = await page.getByRole('textbox', { name: /New token \(shown only now\)/ }).inputValue();
  assert.match(secret, /^sp_/);
  const call = () => fetch(new URL('/api/v1/sessions', server.url), { headers: { authorization: `Bearer ${secret}` } }).then((r) => r.status);
  assert.equal(await call(), 200, 'the new token works');
  await page.getByRole('row', { name: /Helpdesk/ }).getByText('View sessions').waitFor();

  await page.getByRole('button', { name: 'Revoke token Helpdesk' }).click();
  await page.getByRole('status').filter({ hasText: 'Token Helpdesk revoked' }).waitFor({ timeout: 5_000 });
  assert.equal(await call(), 401, 'a revoked token stops working at once');
});

test('when the customer ends the session, the console shows everyone as left and disables the drawing tools, control and chat input', async (t) => {
  const { browser, server, site, user } = await setUp(t);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, user);
  await startAndJoin(customer, agent, site.url('/shadow.html'), 'Custom elements');
  const tools = agent.page.getByRole('toolbar', { name: 'Drawing tools' });
  assert.equal(await tools.getByRole('button', { name: 'Draw', exact: true }).isEnabled(), true, 'Draw while live');
  assert.equal(await agent.hostState().textContent(), 'Active');

  await customer.stop();
  await agent.page.getByText('The customer ended the session').waitFor({ timeout: 5_000 });
  await eventually(() => agent.hostState().textContent(), 'Left', "the customer's state after the end");
  for (const name of ['Pointer', 'Laser', 'Draw', 'Highlight', 'Clear drawings']) {
    assert.equal(await tools.getByRole('button', { name, exact: true }).isEnabled(), false, `${name} after the end`);
  }
  assert.equal(await agent.button('Request control').isEnabled(), false, 'Request control after the end');
  assert.equal(await agent.page.getByRole('textbox', { name: 'Message' }).isEnabled(), false, 'the chat input after the end');
  await agent.page.locator('.session-label').filter({ hasText: 'Session ended' }).waitFor();
  await agent.page.screenshot({ path: '/tmp/qa/shots/after-80-agent-session-ended.png' });
});

test('the server stops mid-session: the customer is told "reconnecting", then that the session ended because the connection was lost (widget, live region and events)', async (t) => {
  const { browser, server, site, user } = await setUp(t);
  const customer = await openCustomer(browser);
  await customer.page.clock.install(); // runs at real speed; the test jumps over the 30 s reconnection window
  const agent = await openConsole(browser, server, user);
  await startAndJoin(customer, agent, site.url('/shadow.html'), 'Custom elements');
  await customer.page.evaluate(`(() => {
    window.__events = [];
    for (const name of ['state', 'connection', 'ended', 'error']) Samepage.on(name, (p) => window.__events.push(name + ':' + (typeof p === 'string' ? p : p.state || p.reason || p.code)));
  })()`);
  const widget = customer.widget();
  const events = () => customer.page.evaluate('window.__events.join(" ")') as Promise<string>;
  const announced = () => customer.page.evaluate(`document.querySelector('samepage-widget').shadowRoot.querySelector('.sp-sr[aria-live]').textContent`) as Promise<string>;

  await server.close();
  await widget.locator('.sp-toast').filter({ hasText: 'Connection lost — reconnecting…' }).waitFor({ timeout: 10_000 });
  assert.equal(await announced(), 'Connection lost — reconnecting…', 'the live region');
  assert.equal(await events(), 'connection:reconnecting');
  await customer.page.screenshot({ path: '/tmp/qa/shots/after-91-cust-reconnecting.png' });

  await customer.page.clock.fastForward(31_000);
  await customer.page.clock.fastForward(6_000); // the retry due after the window, which gives up
  const lost = 'The session ended: the connection to the server was lost';
  const toast = widget.locator('.sp-toast').filter({ hasText: lost });
  await toast.waitFor({ timeout: 10_000 });
  assert.equal(await widget.locator('.sp-toast').filter({ hasText: 'reconnecting' }).count(), 0, 'no "reconnecting" once given up');
  await eventually(announced, lost, 'the live region after giving up');
  assert.equal(await events(), 'connection:reconnecting connection:lost state:ended ended:connection_lost error:sdk_connection_lost');
  await widget.getByRole('button', { name: 'Get help' }).waitFor();
  await customer.page.clock.fastForward(10_000);
  assert.equal(await toast.count(), 1, 'the message stays (it is not a passing toast)');
  await customer.page.screenshot({ path: '/tmp/qa/shots/after-93-cust-server-stopped.png' });
});

test('a recording of an 1100 px wide page is scaled to fit its card on a 1280 × 800 console, with Play in view', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const site = (await server.store.findSiteByKey(server.demoSiteKey))!;
  await server.store.updateSite(site.tenantId, site.id, { policy: { ...site.policy, recordSessions: true } });
  const customer = await openCustomer(browser, { viewport: { width: 1100, height: 700 } });
  const sam = await openConsole(browser, server, await createUser(server, 'senior_agent', 'Sam Rivera'));
  await startAndJoin(customer, sam, `${server.url}/checkout.html`, 'Checkout');
  await customer.stop();
  await sam.page.getByText('The customer ended the session').waitFor({ timeout: 5_000 });

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  const admin = new ConsolePage(page, server.url);
  await admin.login(server.admin.email, server.admin.password);
  await page.getByRole('region', { name: 'Recordings' }).getByRole('link', { name: /^Recording of Demo/ }).first().click();
  const play = page.getByRole('button', { name: 'Play' });
  await play.waitFor({ timeout: 15_000 });
  const stage = page.getByTestId('recording-stage');
  const frame = stage.locator('iframe');
  await eventually(async () => ((await frame.boundingBox())?.width ?? 0) > 0, true, 'the replayed page is laid out');
  const [stageBox, frameBox, playBox] = [await stage.boundingBox(), await frame.boundingBox(), await play.boundingBox()];
  assert.ok(stageBox && frameBox && playBox);
  assert.ok(frameBox.x + frameBox.width <= stageBox.x + stageBox.width + 0.5, `the page (${frameBox.width} px wide on screen) fits its card (${stageBox.width} px)`);
  assert.ok(frameBox.y + frameBox.height <= stageBox.y + stageBox.height + 0.5, `the page is not cropped at the bottom: ${JSON.stringify([frameBox, stageBox])}`);
  assert.ok(frameBox.width > stageBox.width * 0.9 || frameBox.height > stageBox.height * 0.9, 'scaled to fit, not shrunk to a stamp');
  assert.ok(playBox.y + playBox.height <= 800, `Play is in view (its bottom at ${playBox.y + playBox.height} px)`);
  await page.screenshot({ path: '/tmp/qa/shots/after-82-recording.png' });
});

test("the customer's chat panel does not cover the code card that comes back when the agent leaves", async (t) => {
  const { browser, server, site, user } = await setUp(t);
  const customer = await openCustomer(browser, { viewport: { width: 1100, height: 700 } });
  const agent = await openConsole(browser, server, user);
  await startAndJoin(customer, agent, site.url('/shadow.html'), 'Custom elements');
  await customer.sendChat('I cannot find the submit button');
  await agent.chatMessages().filter({ hasText: 'I cannot find the submit button' }).waitFor({ timeout: 5_000 });
  const widget = customer.widget();
  assert.equal(await widget.getByRole('textbox', { name: 'Message' }).isVisible(), true, 'the chat panel is open');

  await agent.button('Leave').click();
  const code = widget.getByText('Your code');
  await code.waitFor({ timeout: 5_000 });
  // Every corner of the code card (inside its rounding) is the card's own, on top.
  const covered = await customer.page.evaluate(`(() => {
    const root = document.querySelector('samepage-widget').shadowRoot;
    const card = root.querySelector('.sp-code').closest('section');
    const r = card.getBoundingClientRect();
    return [[r.left + 20, r.top + 20], [r.right - 20, r.top + 20], [r.left + 20, r.bottom - 20], [r.right - 20, r.bottom - 20]]
      .filter(([x, y]) => !card.contains(root.elementFromPoint(x, y))).length;
  })()`);
  await customer.page.screenshot({ path: '/tmp/qa/shots/after-56-cust-after-agent-leave.png' });
  assert.equal(covered, 0, 'corners of the code card under something else');
});

test("the live visitors list follows a single-page app's navigation (pushState and back) without a session", async (t) => {
  const { browser, server, site, user } = await setUp(t);
  const agent = await openConsole(browser, server, user);
  const customer = await openCustomer(browser);
  await customer.open(site.url('/spa/home'));
  const row = agent.page.getByRole('region', { name: 'Live visitors' }).getByTestId('visitor');
  await row.getByTitle(site.url('/spa/home')).filter({ hasText: 'Acceptance pages · Shop home' }).waitFor({ timeout: 10_000 });

  await customer.page.getByRole('link', { name: 'Products' }).click();
  await row.getByTitle(site.url('/spa/products')).filter({ hasText: 'Acceptance pages · Products' }).waitFor({ timeout: 10_000 });
  await customer.page.goBack();
  await row.getByTitle(site.url('/spa/home')).filter({ hasText: 'Acceptance pages · Shop home' }).waitFor({ timeout: 10_000 });
  assert.equal(await row.count(), 1, 'one visitor, updated in place');

  // The card lines its heading up with the cards above it in the same column.
  const inset = async (heading: string) => {
    const h = await agent.page.getByRole('heading', { name: heading, exact: true }).boundingBox();
    const card = await agent.page.locator('.card').filter({ has: agent.page.getByRole('heading', { name: heading, exact: true }) }).boundingBox();
    assert.ok(h && card);
    return { left: Math.round(h.x - card.x), top: Math.round(h.y - card.y), x: Math.round(card.x) };
  };
  const [visitors, join] = [await inset('Live visitors'), await inset('Join a session')];
  assert.equal(visitors.x, join.x, 'the same column');
  assert.equal(visitors.left, join.left, 'the same inset on the left as the cards above');
  await agent.page.screenshot({ path: '/tmp/qa/shots/after-62-visitors.png' });
});

test("a message's page snapshot of an 1100 px wide page is scaled to fit its card on a 1280 × 800 console", async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const customer = await openCustomer(browser, { viewport: { width: 1100, height: 700 } });
  await customer.open(`${server.url}/login.html`);
  await customer.widget().getByRole('button', { name: 'Leave a message' }).waitFor({ timeout: 15_000 });
  await customer.page.evaluate(`window.Samepage.leaveMessage({ text: 'I cannot sign in', name: 'Maria Lopez', attachSnapshot: true })`);

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  const admin = new ConsolePage(page, server.url);
  await admin.login(server.admin.email, server.admin.password);
  await page.getByRole('link', { name: /^Inbox/ }).click();
  await page.getByRole('link', { name: /^Message from Maria Lopez/ }).click();
  await eventually(() => page.evaluate('!!(window.__samepageSnapshot && window.__samepageSnapshot.document() && window.__samepageSnapshot.document().querySelector("h1"))'), true, 'the snapshot replica', 10_000);
  const stage = page.getByTestId('snapshot-stage');
  const frame = stage.locator('iframe');
  await eventually(async () => Number(await stage.getAttribute('data-scale')) < 1, true, 'the snapshot is scaled down');
  const [stageBox, frameBox] = [await stage.boundingBox(), await frame.boundingBox()];
  assert.ok(stageBox && frameBox);
  assert.ok(frameBox.x + frameBox.width <= stageBox.x + stageBox.width + 0.5, `the page (${frameBox.width} px wide on screen) fits its card (${stageBox.width} px)`);
  assert.ok(frameBox.y + frameBox.height <= stageBox.y + stageBox.height + 0.5, 'the page is not cropped at the bottom');
  await page.screenshot({ path: '/tmp/qa/shots/after-74-message.png', fullPage: true });
});

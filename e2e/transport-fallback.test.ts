/**
 * Transport fallback (issue 6): where WebSockets are blocked, the SDK and the console fall back
 * to HTTP streaming (SSE + POST) by themselves, and the console says so. The server refuses every
 * WebSocket upgrade with 403 (DISABLE_WEBSOCKETS=1), as a corporate proxy would.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { ConsolePage } from './support/console-page.ts';
import { CustomerPage } from './support/customer-page.ts';
import { withServer } from './support/server.ts';
import { startFixtureSite } from './support/fixture-site.ts';

const PASSWORD = 'Hunter2-Kx9zqW7';
const NOTICE = 'Connected over HTTP streaming (WebSockets are blocked)';

async function withBrowser(t: TestContext): Promise<Browser> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  return browser;
}

/** What the page did on the wire: WebSockets that opened, and requests to /stream. */
function watchTransport(page: Page) {
  const seen = { socketsOpened: 0, socketsTried: 0, streams: 0, posts: 0 };
  page.on('websocket', (ws) => {
    seen.socketsTried += 1;
    ws.on('framereceived', () => (seen.socketsOpened += 1));
  });
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path === '/stream') seen.streams += 1;
    if (path.startsWith('/stream/') && request.method() === 'POST') seen.posts += 1;
  });
  return seen;
}

test('with WebSockets refused, a customer and an agent run a session over HTTP streaming; the console says so and redaction holds', async (t) => {
  const before = process.env.DISABLE_WEBSOCKETS;
  process.env.DISABLE_WEBSOCKETS = '1'; // read when the server starts
  t.after(() => (before === undefined ? delete process.env.DISABLE_WEBSOCKETS : (process.env.DISABLE_WEBSOCKETS = before)));
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const customer = new CustomerPage(await (await browser.newContext()).newPage());
  const agent = new ConsolePage(await (await browser.newContext()).newPage(), server.url);
  const customerWire = watchTransport(customer.page);
  const agentWire = watchTransport(agent.page);

  await customer.open(new URL('/login.html', server.url).href);
  const started = Date.now();
  const code = await customer.startSession();
  t.diagnostic(`session started over the fallback in ${Date.now() - started} ms`);
  assert.match(code, /^\d{6}$/);
  await agent.login(server.admin.email, server.admin.password);
  await agent.join(code);
  await agent.waitForReplicaText('Welcome back');
  await agent.page.getByTestId('transport-notice').getByText(NOTICE).waitFor({ timeout: 5_000 });

  // Redaction holds on the fallback too: the password never reaches the replica.
  await customer.page.getByLabel('Password').pressSequentially(PASSWORD);
  await customer.addMarker('marker after the password');
  await agent.waitForReplicaText('marker after the password');

  // A full page load: the SDK tries WebSockets again, falls back again, and resumes the session.
  await customer.page.goto(new URL('/checkout.html', server.url).href);
  await agent.waitForReplicaText('Order summary');
  const gift = 'Typed while WebSockets were blocked';
  await customer.page.getByLabel('Gift message').pressSequentially(gift);
  await agent.waitForReplicaValue('#gift-message', gift);

  const replica = await agent.replica();
  assert.ok(replica);
  assert.ok(![replica.html, replica.text, ...replica.values].join('\n').includes(PASSWORD), 'the password is in the agent’s replica');

  // Chat both ways over the fallback.
  await customer.sendChat('Hi from the customer');
  await agent.chatMessages().filter({ hasText: 'Hi from the customer' }).waitFor({ timeout: 5_000 });
  await agent.sendChat('Hello from the console');
  await customer.widget().locator('.sp-log .sp-bubble', { hasText: 'Hello from the console' }).waitFor({ timeout: 5_000 });

  assert.equal(customerWire.socketsOpened, 0, 'no WebSocket carried anything');
  assert.equal(agentWire.socketsOpened, 0, 'no WebSocket carried anything');
  assert.ok(customerWire.streams >= 2, `the customer's tab streamed on both pages (${customerWire.streams})`);
  assert.ok(customerWire.posts > 0 && agentWire.posts > 0 && agentWire.streams >= 1);
  t.diagnostic(`customer: ${JSON.stringify(customerWire)}; agent: ${JSON.stringify(agentWire)}`);
});

test('with WebSockets refused, a customer on another origin streams too (CORS preflight, site origin check) and the agent can control the tab', async (t) => {
  const before = process.env.DISABLE_WEBSOCKETS;
  process.env.DISABLE_WEBSOCKETS = '1';
  t.after(() => (before === undefined ? delete process.env.DISABLE_WEBSOCKETS : (process.env.DISABLE_WEBSOCKETS = before)));
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const customer = new CustomerPage(await (await browser.newContext()).newPage());
  const agent = new ConsolePage(await (await browser.newContext()).newPage(), server.url);
  const customerWire = watchTransport(customer.page);

  await customer.open(fixtures.url('/control.html'));
  const code = await customer.startSession();
  await agent.login(server.admin.email, server.admin.password);
  await agent.join(code);
  await agent.waitForReplicaText('Control fixture');
  await agent.page.getByTestId('transport-notice').waitFor({ timeout: 5_000 });
  await customer.addMarker('cross-origin marker');
  await agent.waitForReplicaText('cross-origin marker');
  assert.ok(customerWire.streams >= 1 && customerWire.posts > 0, JSON.stringify(customerWire));

  // Remote control over the fallback: the request, the customer's consent and the state.
  await agent.requestControl();
  await customer.answerControl('Admin', 'Allow'); // the bootstrap admin's name
  await agent.waitInControl();
});

test('with WebSockets allowed, the console stays on its WebSocket and shows no fallback notice', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const customer = new CustomerPage(await (await browser.newContext()).newPage());
  const agent = new ConsolePage(await (await browser.newContext()).newPage(), server.url);
  const customerWire = watchTransport(customer.page);
  const agentWire = watchTransport(agent.page);

  await customer.open(new URL('/product.html', server.url).href);
  const code = await customer.startSession();
  await agent.login(server.admin.email, server.admin.password);
  await agent.join(code);
  await agent.waitForReplicaText('Ridge Shell Jacket');
  assert.equal(await agent.page.getByTestId('transport-notice').count(), 0);
  assert.equal(customerWire.streams + agentWire.streams, 0, 'nobody used /stream');
});

/**
 * The co-browsing core, end to end (issue 2): a customer's tab on the demo shop, a real
 * server on port 0, and the agent console, each in real Chromium.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { ConsolePage } from './support/console-page.ts';
import { CustomerPage } from './support/customer-page.ts';
import { tapSentFrames } from './support/frame-tap.ts';
import { withServer, socketUrl, type TestServer } from './support/server.ts';
import { openSocket, type RawSocket } from './support/socket-client.ts';

// t.after hooks run in the order they are registered: launch browsers and open sockets before
// starting the server, so that clients are gone before the server closes.
async function withBrowser(t: TestContext): Promise<Browser> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  return browser;
}

/** A customer and an agent, each in their own browser context (no shared cookies or storage). */
async function openBoth(browser: Browser, server: TestServer) {
  const customer = new CustomerPage(await (await browser.newContext()).newPage());
  const agent = new ConsolePage(await (await browser.newContext()).newPage(), server.url);
  return { customer, agent };
}

async function startAndJoin(customer: CustomerPage, agent: ConsolePage, server: TestServer, path: string): Promise<string> {
  await customer.open(new URL(path, server.url).href);
  const code = await customer.startSession();
  assert.match(code, /^\d{6}$/);
  await agent.login(server.admin.email, server.admin.password);
  await agent.join(code);
  return code;
}

test('(a) the agent joins by code, sees the customer’s page, and sees what the customer types into an allowed field', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const { customer, agent } = await openBoth(browser, server);

  await startAndJoin(customer, agent, server, '/checkout.html');
  await agent.waitForReplicaText('Order summary');

  const message = 'Happy birthday, Sam! Love from Jo';
  await customer.page.getByLabel('Gift message').pressSequentially(message);
  await agent.waitForReplicaValue('#gift-message', message);
});

test('(a) the widget’s "Get help" button shows a code an agent can join with, and then tells the customer who is viewing', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const { customer, agent } = await openBoth(browser, server);

  await customer.open(new URL('/index.html', server.url).href);
  const code = await customer.startSessionWithButton();
  await agent.login(server.admin.email, server.admin.password);
  await agent.join(code);
  await agent.waitForReplicaText('Gear for the long way round');
  await customer.page.getByText(/is viewing this tab/).waitFor({ timeout: 5_000 });
  await customer.stopButton().waitFor();
});

// Secrets the customer types, and secrets that are on the page. None may reach the server.
const SECRETS = {
  password: 'Hunter2-Kx9zqW7',
  email: 'alex.morgan@example.com', // inputs are masked by default, not only passwords
  card: '4000 0566 5566 5556',
  expiry: '11/34',
  cvc: '7391',
  orderNotes: 'Leave it by the blue door',
  loyalty: 'NW-7731-5520-0946', // in checkout.html, inside data-samepage-redact
  savedCard: 'Visa ending 4242', // in checkout.html, inside data-samepage-block
};

test('(b) passwords, card fields, masked inputs and redacted or blocked content never leave the customer’s tab', async (t) => {
  const checkoutHtml = await readFile(new URL('../packages/demo/public/checkout.html', import.meta.url), 'utf8');
  assert.match(checkoutHtml, new RegExp(`data-samepage-redact[^]*${SECRETS.loyalty}`), 'fixture: loyalty number inside data-samepage-redact');
  assert.match(checkoutHtml, new RegExp(`data-samepage-block[^]*${SECRETS.savedCard}`), 'fixture: saved card inside data-samepage-block');

  const browser = await withBrowser(t);
  const server = await withServer(t);
  const { customer, agent } = await openBoth(browser, server);
  const tap = tapSentFrames(customer.page);
  const page = customer.page;

  // Login page: type into every field, one key at a time, so every intermediate value is a chance to leak.
  await startAndJoin(customer, agent, server, '/login.html');
  await agent.waitForReplicaText('Welcome back');
  await page.getByLabel('Email').pressSequentially(SECRETS.email);
  await page.getByLabel('Password').pressSequentially(SECRETS.password);
  await customer.addMarker('marker after the password');
  await agent.waitForReplicaText('marker after the password');
  assertReplicaFree(await agent.replica(), 'login page');
  const maskedPassword = (await agent.replicaValue('#login-password')) ?? '';
  assert.notEqual(maskedPassword.length, SECRETS.password.length, 'the password mask reveals its length');

  // Checkout page, a full page load in the same tab: the session follows.
  await page.goto(new URL('/checkout.html', server.url).href);
  await agent.waitForReplicaText('Order summary');
  await page.getByLabel('Full name').pressSequentially('Alex Morgan');
  await page.getByLabel('Card number').pressSequentially(SECRETS.card);
  await page.getByLabel('Expiry (MM/YY)').pressSequentially(SECRETS.expiry);
  await page.getByLabel('CVC').pressSequentially(SECRETS.cvc);
  await page.getByLabel('Order notes').pressSequentially(SECRETS.orderNotes);
  const gift = 'A gift message the agent may read';
  await page.getByLabel('Gift message').pressSequentially(gift);
  await agent.waitForReplicaValue('#gift-message', gift);
  await customer.addMarker('marker after the card');
  await agent.waitForReplicaText('marker after the card');

  const replica = await agent.replica();
  assertReplicaFree(replica, 'checkout page');
  const maskedCard = (await agent.replicaValue('#cc-number')) ?? '';
  assert.notEqual(maskedCard.length, SECRETS.card.length, 'the card-number mask reveals its length');

  // Every byte the page sent to the server.
  const decoded = tap.decode();
  assert.deepEqual(decoded.errors, [], 'the tap could read every frame');
  assert.ok(decoded.keyframes >= 2, `one keyframe per page at least, got ${decoded.keyframes}`);
  assert.ok(
    decoded.texts.some((text) => text.includes(gift)),
    'positive control: the allowed gift message is visible to the tap, so the tap does read the DOM stream',
  );
  assert.notDeepEqual(tap.findLeaks([gift]), [], 'positive control: findLeaks finds the allowed gift message');
  t.diagnostic(`tapped ${tap.socketCount} sockets, ${tap.textFrameCount} text and ${tap.binaryFrameCount} binary frames (${decoded.keyframes} keyframes)`);
  const long = [SECRETS.password, SECRETS.email, SECRETS.card, SECRETS.card.replace(/ /g, ''), SECRETS.orderNotes, SECRETS.loyalty, SECRETS.savedCard];
  // Prefixes catch a value sent keystroke by keystroke, before it was complete.
  const prefixes = [SECRETS.password, SECRETS.email, SECRETS.card, SECRETS.orderNotes].map((s) => s.slice(0, 8));
  assert.deepEqual(tap.findLeaks([...long, ...prefixes]), []);
  // Short secrets would match timestamps and ids as bytes; look for them as strings instead.
  for (const short of [SECRETS.cvc, SECRETS.expiry]) {
    assert.deepEqual(
      decoded.strings.filter((s) => s.includes(short)),
      [],
      `"${short}" was sent`,
    );
  }
});

function assertReplicaFree(replica: Awaited<ReturnType<ConsolePage['replica']>>, where: string): void {
  assert.ok(replica, `the replica is there (${where})`);
  const everything = [replica.html, replica.text, ...replica.values].join('\n');
  for (const [name, secret] of Object.entries(SECRETS)) {
    if (secret.length < 6) {
      // short: compare whole field values, and visible text
      assert.ok(!replica.values.includes(secret) && !replica.text.includes(secret), `${name} is in the agent’s replica (${where})`);
    } else {
      assert.ok(!everything.includes(secret), `${name} is in the agent’s replica (${where})`);
    }
  }
}

test('(c) when the customer presses Stop, the agent sees "The customer ended the session"', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const { customer, agent } = await openBoth(browser, server);

  await startAndJoin(customer, agent, server, '/product.html');
  await agent.waitForReplicaText('Ridge Shell Jacket');
  await customer.stop();
  await agent.page.getByText('The customer ended the session').waitFor({ timeout: 5_000 });
  await customer.stopButton().waitFor({ state: 'detached', timeout: 5_000 });
});

test('(d) a full page navigation keeps the session: the replica shows the new page within 2 s, with no new code', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const { customer, agent } = await openBoth(browser, server);

  await startAndJoin(customer, agent, server, '/index.html');
  await agent.waitForReplicaText('Gear for the long way round');

  const clickedAt = Date.now();
  await customer.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Cart/ }).click();
  await agent.waitForReplicaText('Go to checkout', { timeout: 2_000 });
  t.diagnostic(`replica showed the new page ${Date.now() - clickedAt} ms after the click`);

  const replica = await agent.replica();
  assert.ok(replica && !replica.text.includes('Gear for the long way round'), 'the replica dropped the old page');
  assert.equal(await agent.page.getByText('The customer ended the session').count(), 0);
  await customer.stopButton().waitFor({ timeout: 5_000 }); // the banner is back on the new page
});

// ---- (e) bad input on the socket ---------------------------------------------------------

function hostHello(server: TestServer, overrides: Record<string, unknown> = {}) {
  return { type: 'host_hello', v: 1, siteKey: server.demoSiteKey, page: { url: `${server.url}/`, title: 'raw client' }, ...overrides };
}

async function expectFatal(socket: RawSocket, code: string, closeCode: number): Promise<void> {
  const error = await socket.next('error');
  assert.equal(error.code, code);
  assert.equal(error.fatal, true);
  assert.equal((await socket.closed).code, closeCode);
}

async function expectJoinError(socket: RawSocket, code: string): Promise<void> {
  const error = await socket.next('error');
  assert.equal(error.code, code);
  assert.equal(error.fatal, false, `${code} is not fatal: the agent may type another code`);
}

async function openHost(server: TestServer): Promise<{ socket: RawSocket; code: string }> {
  const socket = await openSocket(socketUrl(server), { origin: server.url });
  socket.send(hostHello(server));
  await socket.next('welcome');
  socket.send({ type: 'session_start' });
  const created = await socket.next('session_created');
  return { socket, code: String(created.code) };
}

async function openAgent(server: TestServer, cookie: string): Promise<RawSocket> {
  const socket = await openSocket(socketUrl(server), { origin: server.url, cookie });
  socket.send({ type: 'agent_hello', v: 1 });
  await socket.next('welcome');
  return socket;
}

/** A 6-digit code that is not `code`. */
function otherCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

test('(e) bad socket input gets its documented error and close code, and the server keeps serving', async (t) => {
  const browser = await withBrowser(t);
  const sockets: RawSocket[] = [];
  t.after(() => Promise.all(sockets.map((s) => s.close())));
  const server = await withServer(t);
  const url = socketUrl(server);
  const open = async (options: Parameters<typeof openSocket>[1]) => {
    const socket = await openSocket(url, options);
    sockets.push(socket);
    return socket;
  };

  await t.test('malformed JSON closes with 4400 (bad_frame)', async () => {
    const socket = await open({ origin: server.url });
    socket.sendRaw('{"type": "host_hello", ');
    await expectFatal(socket, 'bad_frame', 4400);
  });

  await t.test('a text frame over 64 KiB closes with 4413 (frame_too_large)', async () => {
    const socket = await open({ origin: server.url });
    socket.sendRaw('x'.repeat(100 * 1024));
    await expectFatal(socket, 'frame_too_large', 4413);
  });

  await t.test('a wrong protocol version closes with 4426 (unsupported_version)', async () => {
    const socket = await open({ origin: server.url });
    socket.send(hostHello(server, { v: 999 }));
    await expectFatal(socket, 'unsupported_version', 4426);
  });

  await t.test('an unknown site key closes with 4404 (unknown_site_key)', async () => {
    const socket = await open({ origin: server.url });
    socket.send(hostHello(server, { siteKey: 'no-such-site-key' }));
    await expectFatal(socket, 'unknown_site_key', 4404);
  });

  await t.test('the demo site key from another Origin closes with 4403 (origin_not_allowed)', async () => {
    const socket = await open({ origin: 'http://evil.example' });
    socket.send(hostHello(server));
    await expectFatal(socket, 'origin_not_allowed', 4403);
  });

  const loginPage = new ConsolePage(await (await browser.newContext()).newPage(), server.url);
  await loginPage.login(server.admin.email, server.admin.password);
  const cookie = await loginPage.sessionCookie();

  await t.test('joining with an unknown code gets code_unknown, and the agent may try again', async () => {
    const host = await openHost(server);
    sockets.push(host.socket);
    const agent = await open({ origin: server.url, cookie });
    agent.send({ type: 'agent_hello', v: 1 });
    await agent.next('welcome');
    agent.send({ type: 'join', code: otherCode(host.code) });
    await expectJoinError(agent, 'code_unknown');
    agent.send({ type: 'join', code: host.code });
    await agent.next('joined');
  });

  await t.test('joining with a code that was already used gets code_used', async () => {
    const host = await openHost(server);
    sockets.push(host.socket);
    const first = await openAgent(server, cookie);
    sockets.push(first);
    first.send({ type: 'join', code: host.code });
    await first.next('joined');
    const second = await openAgent(server, cookie);
    sockets.push(second);
    second.send({ type: 'join', code: host.code });
    await expectJoinError(second, 'code_used');
  });

  await t.test('after all of that, a customer and an agent still share a session', async () => {
    const { customer, agent } = await openBoth(browser, server);
    await startAndJoin(customer, agent, server, '/index.html');
    await agent.waitForReplicaText('Gear for the long way round');
    const health = await fetch(new URL('/healthz', server.url));
    assert.equal(health.status, 200);
  });
});

test('(e) an expired code gets code_expired, and repeated wrong guesses get rate_limited', async (t) => {
  const browser = await withBrowser(t);
  const sockets: RawSocket[] = [];
  t.after(() => Promise.all(sockets.map((s) => s.close())));
  const server = await withServer(t, { CODE_TTL_MS: '300' });

  const loginPage = new ConsolePage(await (await browser.newContext()).newPage(), server.url);
  await loginPage.login(server.admin.email, server.admin.password);
  const cookie = await loginPage.sessionCookie();

  await t.test('a code used after CODE_TTL_MS gets code_expired', async () => {
    const host = await openHost(server);
    sockets.push(host.socket);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const agent = await openAgent(server, cookie);
    sockets.push(agent);
    agent.send({ type: 'join', code: host.code });
    await expectJoinError(agent, 'code_expired');
  });

  await t.test('guessing codes again and again gets rate_limited', async () => {
    const host = await openHost(server);
    sockets.push(host.socket);
    const agent = await openAgent(server, cookie);
    sockets.push(agent);
    const answers: string[] = [];
    let guess = host.code;
    for (let i = 0; i < 30 && !answers.includes('rate_limited'); i++) {
      guess = otherCode(guess);
      agent.send({ type: 'join', code: guess });
      const error = await agent.next('error');
      assert.equal(error.fatal, false);
      answers.push(String(error.code));
    }
    assert.ok(answers.includes('rate_limited'), `30 wrong guesses, never rate_limited: ${answers.join(', ')}`);
    assert.ok(answers.slice(0, 3).every((a) => a === 'code_unknown'), `the first guesses get code_unknown: ${answers.join(', ')}`);
  });

  await t.test('the server still serves new sessions', async () => {
    const host = await openHost(server);
    sockets.push(host.socket);
    assert.match(host.code, /^\d{6}$/);
    assert.equal((await fetch(new URL('/healthz', server.url))).status, 200);
  });
});

/**
 * Every major browser (issue 5, checklist 18): the core flows with the CUSTOMER's tab in
 * Chromium, Firefox and WebKit, and the agent console in Chromium: start, join, see the page,
 * see a change, redaction (replica DOM and every frame the server received), and control.
 * Plus the agent console in Firefox with the customer in Chromium.
 *
 * Engines behind one adapter (e2e/support/engines); an engine that is not installed is
 * skipped with the reason. Recipes: /work/shared/BROWSERS.md.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchChromium } from './support/browser.ts';
import { ConsolePage, type ReplicaContents } from './support/console-page.ts';
import { CustomerPage } from './support/customer-page.ts';
import { ENGINES, launchEngine, type EnginePage } from './support/engines/index.ts';
import { tapServerFrames } from './support/engines/server-tap.ts';
import { withServer } from './support/server.ts';

interface SamepageLike {
  startSession(): Promise<{ code: string }>;
  on(event: 'control_requested', handler: (payload: { participantId: string; name: string }) => void): () => void;
  control: { allow(participantId: string): void };
}
type CustomerWindow = Window & { Samepage?: SamepageLike; __e2eClicks?: number };
type ConsoleWindow = Window & { __samepageReplica?: { document(): Document | null } };

const SECRETS = {
  password: 'Hunter2-Kx9zqW7',
  email: 'alex.morgan@example.com',
  card: '4000 0566 5566 5556',
  orderNotes: 'Leave it by the blue door',
};

async function waitForSdk(page: EnginePage): Promise<void> {
  await page.waitForFunction(() => typeof (window as CustomerWindow).Samepage?.startSession === 'function', undefined, { timeout: 15_000 });
}

/** Appends a marker paragraph: once the replica shows it, everything typed before was sent. */
async function addMarker(page: EnginePage, text: string): Promise<void> {
  await page.evaluate((t: string) => {
    const p = document.createElement('p');
    p.className = 'e2e-marker';
    p.textContent = t;
    document.body.append(p);
  }, text);
}

function assertReplicaFree(replica: ReplicaContents | null, where: string): void {
  assert.ok(replica, `the replica is there (${where})`);
  const everything = [replica.html, replica.text, ...replica.values].join('\n');
  for (const [name, secret] of Object.entries(SECRETS)) {
    assert.ok(!everything.includes(secret), `${name} is in the agent’s replica (${where})`);
    assert.ok(!everything.includes(secret.slice(0, 8)), `the start of ${name} is in the agent’s replica (${where})`);
  }
}

for (const name of ENGINES) {
  test(`customer in ${name}, console in Chromium: start, join, see a change, redaction, control`, { timeout: 90_000 }, async (t) => {
    const started = Date.now();
    const engine = await launchEngine(t, name);
    if (!engine) return;
    const chromium = await launchChromium();
    t.after(() => chromium.close());
    const server = await withServer(t);
    const tap = tapServerFrames(server);

    // Start: the customer's tab on the demo's login page, a session through the JS API.
    const customer = await engine.open(`${server.url}/login.html`, { viewport: { width: 1000, height: 700 } });
    await waitForSdk(customer);
    const { code } = await customer.evaluate(() => (window as CustomerWindow).Samepage!.startSession());
    assert.match(code, /^\d{6}$/);

    // Join and see the page.
    const agent = new ConsolePage(await (await chromium.newContext({ viewport: { width: 1400, height: 900 } })).newPage(), server.url);
    await agent.login(server.admin.email, server.admin.password);
    await agent.join(code);
    await agent.waitForReplicaText('Welcome back');

    // Redaction on the login page: type key by key, so every intermediate value could leak.
    await customer.type('#login-email', SECRETS.email);
    await customer.type('#login-password', SECRETS.password);
    await addMarker(customer, 'marker after the password');
    await agent.waitForReplicaText('marker after the password');
    assertReplicaFree(await agent.replica(), `login page, ${name}`);

    // A full page load in the same tab: the session follows to the checkout.
    await customer.goto(`${server.url}/checkout.html`);
    await agent.waitForReplicaText('Order summary', { timeout: 15_000 });
    await customer.type('#cc-number', SECRETS.card);
    await customer.type('#order-notes', SECRETS.orderNotes);
    // See a change: an allowed field, typed by the customer, shows in the replica.
    const gift = `A gift message typed in ${name}`;
    await customer.type('#gift-message', gift);
    await agent.waitForReplicaValue('#gift-message', gift);
    await addMarker(customer, 'marker after the card');
    await agent.waitForReplicaText('marker after the card');
    assertReplicaFree(await agent.replica(), `checkout page, ${name}`);

    // Every frame the server received from the customer's sockets.
    const decoded = tap.decode();
    assert.deepEqual(decoded.errors, [], 'the server-side tap could read every frame');
    assert.ok(decoded.keyframes >= 2, `a keyframe per page at least, got ${decoded.keyframes}`);
    assert.notDeepEqual(tap.findLeaks([gift]), [], 'positive control: the tap sees the allowed gift message');
    const secrets = Object.values(SECRETS);
    assert.deepEqual(tap.findLeaks([...secrets, SECRETS.card.replace(/ /g, ''), ...secrets.map((s) => s.slice(0, 8))]), []);

    // Control: the agent asks, the customer's page allows (Samepage.control.allow), and the
    // agent's click on the replica clicks the customer's real button.
    await customer.evaluate(() => {
      const w = window as CustomerWindow;
      const button = document.createElement('button');
      button.id = 'e2e-button';
      button.type = 'button';
      button.textContent = 'Clicked 0 times';
      button.style.cssText = 'position:fixed;left:20px;top:20px;z-index:5;padding:12px 20px';
      w.__e2eClicks = 0;
      button.addEventListener('click', () => (button.textContent = `Clicked ${++w.__e2eClicks!} times`));
      document.body.append(button);
      w.Samepage!.on('control_requested', ({ participantId }) => w.Samepage!.control.allow(participantId));
    });
    await agent.waitForReplicaTextAt('#e2e-button', 'Clicked 0 times');
    // (Not agent.requestControl(): the page allows at once, so "Waiting for the customer…" may never paint.)
    await agent.button('Request control').click();
    await agent.waitInControl();
    await agent.clickReplica('#e2e-button');
    await customer.waitForFunction(() => (window as CustomerWindow).__e2eClicks === 1, undefined, { timeout: 5_000 });
    await agent.waitForReplicaTextAt('#e2e-button', 'Clicked 1 times');

    t.diagnostic(`${name}: ${tap.socketCount} customer sockets, ${tap.binaryFrameCount} DOM frames (${decoded.keyframes} keyframes); flow took ${Date.now() - started} ms`);
  });
}

test('agent console in Firefox, customer in Chromium: sign in, join, see the page and a change', { timeout: 60_000 }, async (t) => {
  const firefox = await launchEngine(t, 'firefox');
  if (!firefox) return;
  const chromium = await launchChromium();
  t.after(() => chromium.close());
  const server = await withServer(t);

  const customer = new CustomerPage(await (await chromium.newContext({ viewport: { width: 1000, height: 700 } })).newPage());
  await customer.open(`${server.url}/product.html`);
  const code = await customer.startSession();

  const agent = await firefox.open(`${server.url}/console`, { viewport: { width: 1400, height: 900 } });
  await agent.waitForFunction(() => !!document.querySelector('input[name=email]'));
  await agent.type('input[name=email]', server.admin.email);
  await agent.type('input[name=password]', server.admin.password);
  await agent.click('button[type=submit]');
  await agent.waitForFunction(() => [...document.querySelectorAll('label')].some((l) => /Session code/.test(l.textContent ?? '')));
  const codeField = await agent.evaluate(() => {
    const label = [...document.querySelectorAll('label')].find((l) => /Session code/.test(l.textContent ?? ''));
    const input = label?.querySelector('input') ?? (label?.htmlFor ? document.getElementById(label.htmlFor) : null);
    if (!input) return null;
    input.setAttribute('data-e2e', 'code');
    return true;
  });
  assert.ok(codeField, 'the console shows a "Session code" field');
  await agent.type('[data-e2e=code]', code);
  await agent.evaluate(() => {
    const join = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Join');
    join?.setAttribute('data-e2e', 'join');
  });
  await agent.click('[data-e2e=join]');

  const replicaHas = (text: string) =>
    agent.waitForFunction((wanted: string) => ((window as ConsoleWindow).__samepageReplica?.document()?.body?.textContent ?? '').includes(wanted), text, { timeout: 15_000 });
  await replicaHas('Ridge Shell Jacket');
  await customer.addMarker('a change seen in Firefox');
  await replicaHas('a change seen in Firefox');
  const label = await agent.evaluate(() => document.querySelector('[data-testid=viewport-label]')?.textContent ?? '');
  assert.match(label, /1000\s*×\s*700/, 'the Firefox console shows the customer’s viewport size');
});

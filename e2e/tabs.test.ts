/**
 * Only the shared tab (issue 5, checklist 10). The customer's session lives in one tab; other
 * tabs of the same browser, even of the same site, are never captured. The behaviour chosen
 * for a new tab of the same site is in docs/TABS.md: the session stays in the original tab.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { ConsolePage } from './support/console-page.ts';
import { CustomerPage } from './support/customer-page.ts';
import { tapServerFrames } from './support/engines/server-tap.ts';
import { withServer, type TestServer } from './support/server.ts';

const OTHER_TAB_TEXT = 'Only-in-the-second-tab 7Q4ZP';

async function setUp(t: TestContext) {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const server = await withServer(t);
  const tap = tapServerFrames(server);
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const customer = new CustomerPage(await context.newPage());
  const agent = new ConsolePage(await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage(), server.url);
  await customer.open(`${server.url}/product.html`);
  const code = await customer.startSession();
  await agent.login(server.admin.email, server.admin.password);
  await agent.join(code);
  await agent.waitForReplicaText('Ridge Shell Jacket');
  await agent.page.getByTestId('session-status').getByText('Live').waitFor({ timeout: 5_000 });
  return { server, tap, context, customer, agent };
}

async function assertNeverShown(agent: ConsolePage, text: string, where: string): Promise<void> {
  const replica = await agent.replica();
  assert.ok(replica, 'the replica is there');
  assert.ok(![replica.html, replica.text, ...replica.values].join('\n').includes(text), `the other tab's content is in the agent's replica (${where})`);
}

/**
 * Switches the customer's tab to the background or back. Headless (and headed, without a
 * window manager) Chromium keeps every tab "visible", and CDP has no visibility override, so
 * this does what the browser does on a tab switch, in the page: `document.visibilityState`
 * and `hidden` change, `blur`/`focus` and `visibilitychange` fire. The other tab is a real tab.
 */
async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  // A string, not a function: tsx would wrap the getters in a `__name` helper the page lacks.
  await page.evaluate(`{
    const h = ${hidden};
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    window.dispatchEvent(new Event(h ? 'blur' : 'focus'));
    document.dispatchEvent(new Event('visibilitychange'));
  }`);
}

/** Opens a tab that the customer fills with content of its own. */
async function otherTab(context: BrowserContext, server: TestServer, path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}${path}`);
  await page.evaluate((text) => {
    const p = document.createElement('p');
    p.textContent = text;
    document.body.prepend(p);
  }, OTHER_TAB_TEXT);
  return page;
}

test('switching to another tab: the agent sees "The customer is on another tab" over the greyed last frame, never the other tab; switching back is Live again', async (t) => {
  const { server, tap, context, customer, agent } = await setUp(t);
  const replicaFrame = agent.page.getByTestId('replica');
  assert.doesNotMatch((await replicaFrame.getAttribute('class')) ?? '', /replica-greyed/);

  const second = await otherTab(context, server, '/cart.html');
  await second.bringToFront();
  await setTabHidden(customer.page, true);
  await agent.page.getByTestId('session-status').getByText('The customer is on another tab').waitFor({ timeout: 5_000 });
  await agent.page.waitForFunction(() => document.querySelector('[data-testid=replica]')?.classList.contains('replica-greyed'), null, { timeout: 5_000 });
  // The last frame of the shared tab stays, greyed: the product page, not the cart.
  await agent.waitForReplicaText('Ridge Shell Jacket');

  // The customer works in the other tab for a while; nothing of it reaches the agent.
  await second.getByRole('heading').first().click();
  await second.evaluate(() => window.scrollTo(0, 200));
  await new Promise((r) => setTimeout(r, 1_000));
  await assertNeverShown(agent, OTHER_TAB_TEXT, 'while the customer is on the other tab');
  assert.deepEqual(tap.findLeaks([OTHER_TAB_TEXT]), [], 'the other tab sent nothing to the server');

  await customer.page.bringToFront();
  await setTabHidden(customer.page, false);
  await agent.page.getByTestId('session-status').getByText('Live').waitFor({ timeout: 5_000 });
  await agent.page.waitForFunction(() => !document.querySelector('[data-testid=replica]')?.classList.contains('replica-greyed'), null, { timeout: 5_000 });
  await customer.addMarker('back in the shared tab');
  await agent.waitForReplicaText('back in the shared tab');
  await assertNeverShown(agent, OTHER_TAB_TEXT, 'after switching back');
  assert.equal(tap.socketCount, 1, 'one customer socket: the shared tab’s');
});

test('a new tab of the same site (a link with target=_blank) is not shared: the session stays in the original tab and the new tab sends nothing', async (t) => {
  const { server, tap, context, customer, agent } = await setUp(t);

  await customer.page.evaluate(() => {
    const a = document.createElement('a');
    a.href = '/cart.html';
    a.target = '_blank';
    a.id = 'e2e-new-tab';
    a.textContent = 'Open the cart in a new tab';
    a.style.cssText = 'position:fixed;left:16px;bottom:16px;z-index:2147483646;background:#fff;padding:8px';
    document.body.append(a);
  });
  const [second] = await Promise.all([context.waitForEvent('page', { timeout: 10_000 }), customer.page.click('#e2e-new-tab', { timeout: 10_000 })]);
  await second.waitForLoadState();
  await second.waitForFunction(() => typeof (window as Window & { Samepage?: unknown }).Samepage === 'object', null, { timeout: 10_000 });
  await second.evaluate((text) => document.body.prepend(Object.assign(document.createElement('p'), { textContent: text })), OTHER_TAB_TEXT);
  await second.bringToFront();
  await setTabHidden(customer.page, true);
  await agent.page.getByTestId('session-status').getByText('The customer is on another tab').waitFor({ timeout: 5_000 });
  await new Promise((r) => setTimeout(r, 1_000));

  // The new tab has the SDK but no session: no banner, no socket, nothing sent.
  assert.equal(await second.getByRole('region', { name: 'Samepage session' }).count(), 0, 'no session banner in the new tab');
  assert.equal(await second.evaluate(() => sessionStorage.getItem('samepage:session')), null, 'no session in the new tab');
  await assertNeverShown(agent, OTHER_TAB_TEXT, 'new tab of the same site');
  assert.deepEqual(tap.findLeaks([OTHER_TAB_TEXT]), []);
  assert.equal(tap.socketCount, 1, 'only the original tab has a customer socket');

  // The session is still the original tab's.
  await customer.page.bringToFront();
  await setTabHidden(customer.page, false);
  await agent.page.getByTestId('session-status').getByText('Live').waitFor({ timeout: 5_000 });
  await customer.stopButton().waitFor();
  await customer.addMarker('still the original tab');
  await agent.waitForReplicaText('still the original tab');
});

test('a tab opened by script (window.open, which copies sessionStorage) does not take the session over', async (t) => {
  const { server, tap, context, customer, agent } = await setUp(t);

  const [second] = await Promise.all([
    context.waitForEvent('page', { timeout: 10_000 }),
    customer.page.evaluate((url) => void window.open(url), `${server.url}/cart.html`),
  ]);
  await second.waitForLoadState();
  await second.waitForFunction(() => typeof (window as Window & { Samepage?: unknown }).Samepage === 'object', null, { timeout: 10_000 });
  await second.evaluate((text) => document.body.prepend(Object.assign(document.createElement('p'), { textContent: text })), OTHER_TAB_TEXT);
  await new Promise((r) => setTimeout(r, 1_500));

  await assertNeverShown(agent, OTHER_TAB_TEXT, 'a window.open tab');
  assert.deepEqual(tap.findLeaks([OTHER_TAB_TEXT]), [], 'the script-opened tab sent nothing');
  assert.equal(await second.getByRole('region', { name: 'Samepage session' }).count(), 0, 'no session banner in the script-opened tab');
  await customer.page.bringToFront();
  await customer.stopButton().waitFor({ timeout: 5_000 });
  await customer.addMarker('the session stayed put');
  await agent.waitForReplicaText('the session stayed put');
  assert.equal(tap.socketCount, 1, 'one customer socket');
});

/**
 * Phones and tablets (issue 5, checklist 14). The customer's side in Chromium's device
 * emulation (iPhone 13, Pixel 7, iPad Pro 11: viewport, device pixel ratio, touch, mobile user
 * agent); the agent's console on a touch tablet in landscape (iPad Pro 11 landscape), driven
 * with taps. Checks: the session starts with a tap on "Get help"; the console shows the
 * device's viewport size and aspect ratio, in a device frame; pinch-zoom (the visual viewport),
 * orientation changes and the on-screen keyboard shrinking the viewport are followed. On a
 * phone the widget's session bar is a pill at the bottom that leaves the site's navigation free.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { devices, type Browser, type Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { ConsolePage } from './support/console-page.ts';
import { CustomerPage } from './support/customer-page.ts';
import { withServer, type TestServer } from './support/server.ts';

const DEVICES = [
  { name: 'iPhone 13', kind: 'phone' },
  { name: 'Pixel 7', kind: 'phone' },
  { name: 'iPad Pro 11', kind: 'tablet' },
] as const;

/** The agent's console on a touch tablet, signed in and joined with taps only. */
async function tabletConsole(browser: Browser, server: TestServer, code: string): Promise<ConsolePage> {
  const context = await browser.newContext({ ...devices['iPad Pro 11 landscape'] });
  const agent = new ConsolePage(await context.newPage(), server.url);
  const page = agent.page;
  await page.goto(`${server.url}/console`);
  await page.getByLabel('Email').tap();
  await page.getByLabel('Email').fill(server.admin.email);
  await page.getByLabel('Password').tap();
  await page.getByLabel('Password').fill(server.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await page.getByLabel('Session code').tap();
  await page.getByLabel('Session code').fill(code);
  await page.getByRole('button', { name: 'Join', exact: true }).tap();
  // Usable on a tablet: nothing of the console runs off the side of the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the console is ${overflow} px wider than the tablet's screen`);
  return agent;
}

/** The replica's frame on the console: the label's numbers and the frame's aspect ratio. */
async function shownViewport(agent: ConsolePage) {
  return agent.page.evaluate(() => {
    const frame = document.querySelector<HTMLElement>('[data-testid=replica]');
    const box = frame?.getBoundingClientRect();
    return {
      label: document.querySelector('[data-testid=viewport-label]')?.textContent ?? '',
      aspect: box && box.height ? box.width / box.height : 0,
      device: document.querySelector<HTMLElement>('[data-testid=device-frame]')?.dataset.device ?? '',
    };
  });
}

async function waitForViewport(agent: ConsolePage, width: number, height: number): Promise<void> {
  await agent.page
    .getByTestId('viewport-label')
    .getByText(new RegExp(`^${width} × ${height}\\b`))
    .waitFor({ timeout: 5_000 });
  const shown = await shownViewport(agent);
  assert.ok(Math.abs(shown.aspect - width / height) < 0.02, `the replica's aspect ratio is ${shown.aspect.toFixed(3)}, the device's ${(width / height).toFixed(3)}`);
}

for (const device of DEVICES) {
  test(`customer on ${device.name}, console on a touch tablet: tap to start, viewport and aspect ratio, device frame, pinch-zoom, rotation, keyboard`, { timeout: 60_000 }, async (t) => {
    const browser = await launchChromium();
    t.after(() => browser.close());
    const server = await withServer(t);
    const descriptor = devices[device.name];
    const { width, height } = descriptor.viewport;

    const customerContext = await browser.newContext({ ...descriptor });
    const customer = new CustomerPage(await customerContext.newPage());
    await customer.open(`${server.url}/index.html`);
    assert.equal(await customer.page.evaluate(() => navigator.maxTouchPoints > 0), true, 'the customer has a touch screen');

    // Touch: the session starts with a tap on the widget's "Get help".
    await customer.page.getByRole('button', { name: 'Get help' }).tap();
    const shownCode = customer.widget().getByText(/\b\d{3}[\s-]?\d{3}\b/).first();
    await shownCode.waitFor();
    const code = (/\b(\d{3})[\s-]?(\d{3})\b/.exec((await shownCode.textContent()) ?? '') ?? []).slice(1).join('');
    assert.match(code, /^\d{6}$/);

    const agent = await tabletConsole(browser, server, code);
    await agent.waitForReplicaText('Gear for the long way round');

    // The phone's viewport at its size and aspect ratio, in a device frame.
    await waitForViewport(agent, width, height);
    assert.equal((await shownViewport(agent)).device, device.kind, `a ${device.kind} frame around the replica`);
    await customer.page.getByText(/is viewing this tab/).waitFor({ timeout: 5_000 });

    // Pinch-zoom: the visual viewport (scale and the visible part) is followed.
    const cdp = await customerContext.newCDPSession(customer.page);
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 2 });
    await customer.page.waitForFunction(() => Math.abs((window.visualViewport?.scale ?? 1) - 2) < 0.01, null, { timeout: 5_000 });
    await agent.page.getByTestId('visual-viewport-label').getByText(/zoomed 2×/).waitFor({ timeout: 5_000 });
    const box = await agent.page.getByTestId('visual-viewport').boundingBox();
    const frame = await agent.page.getByTestId('replica').boundingBox();
    assert.ok(box && frame && Math.abs(box.width / frame.width - 0.5) < 0.03, `the visible part is half the width at 2× (${box?.width} of ${frame?.width})`);
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 1 });
    await agent.page.getByTestId('visual-viewport').waitFor({ state: 'detached', timeout: 5_000 });

    // Orientation change: the replica follows to landscape and back.
    await customer.page.setViewportSize({ width: height, height: width });
    await waitForViewport(agent, height, width);
    await customer.page.setViewportSize({ width, height });
    await waitForViewport(agent, width, height);

    // The on-screen keyboard: focus a field, and the viewport shrinks (as on Android Chrome).
    await customer.page.evaluate(() => {
      const field = document.createElement('input');
      field.id = 'e2e-search';
      field.setAttribute('aria-label', 'Search');
      field.style.cssText = 'position:fixed;left:8px;top:50%;width:200px'; // the session pill is at the bottom
      document.body.append(field);
    });
    await customer.page.locator('#e2e-search').tap();
    const keyboard = Math.round(height * 0.4);
    await customer.page.setViewportSize({ width, height: height - keyboard });
    await waitForViewport(agent, width, height - keyboard);
    await customer.page.setViewportSize({ width, height });
    await waitForViewport(agent, width, height);

    // Touch in the page itself: a tapped link navigates, and the replica follows. (The main
    // navigation under the session bar: see the test below.)
    await customer.page.getByRole('link', { name: 'Shop the Ridge Shell' }).tap();
    await agent.waitForReplicaTextAt('#product-name', 'Ridge Shell Jacket', { timeout: 5_000 });
  });
}

/** The deepest focused element's accessible name (aria-label or text), through shadow roots. */
function focusedName(page: Page): Promise<string> {
  return page.evaluate(
    '(() => { let el = document.activeElement; while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement; return ((el && (el.getAttribute("aria-label") || el.textContent)) || "").trim(); })()',
  );
}

async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 80 && (await focusedName(page)) !== name; i++) await page.keyboard.press('Tab');
  assert.equal(await focusedName(page), name, `Tab reaches "${name}"`);
}

test('on a phone, the session bar is a pill at the bottom: the site’s main navigation stays tappable, the pill says who is viewing or controlling, Take back and Stop work by touch and keyboard', { timeout: 60_000 }, async (t) => {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const server = await withServer(t);
  const descriptor = devices['iPhone 13'];
  const customer = new CustomerPage(await (await browser.newContext({ ...descriptor })).newPage());
  const { page } = customer;
  await customer.open(`${server.url}/index.html`);
  const code = await customer.startSession();
  const agent = new ConsolePage(await (await browser.newContext()).newPage(), server.url);
  await agent.login(server.admin.email, server.admin.password);
  await agent.join(code);
  const bar = customer.widget().getByRole('region', { name: 'Samepage session' });
  await bar.getByText(/is viewing this tab/).waitFor({ timeout: 5_000 });

  // The pill sits below the navigation, at the bottom of the screen, and fits it.
  const { width, height } = descriptor.viewport;
  const pill = await bar.boundingBox();
  const nav = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
  assert.ok(pill && nav, 'both the pill and the navigation are shown');
  assert.ok(pill.y > nav.y + nav.height, `the pill (${JSON.stringify(pill)}) is below the navigation (${JSON.stringify(nav)})`);
  assert.ok(pill.x >= 0 && pill.x + pill.width <= width && pill.y + pill.height <= height, `the pill fits the screen: ${JSON.stringify(pill)}`);
  for (const name of ['Chat', 'Stop sharing']) {
    const b = await bar.getByRole('button', { name, exact: true }).boundingBox();
    assert.ok(b && b.height >= 24 && b.width >= 24 && b.y + b.height <= height, `"${name}" is a touch target on screen: ${JSON.stringify(b)}`);
  }

  // The main navigation is tappable while sharing; the session follows to the next page.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Cart/ }).tap({ timeout: 3_000 });
  await page.waitForURL(/cart\.html/, { timeout: 3_000 });
  await bar.getByText(/is viewing this tab/).waitFor({ timeout: 10_000 });

  // Controlled: the pill says so, Take back is tapped or reached with a keyboard.
  await agent.requestControl();
  await page.getByRole('dialog', { name: /wants to control this tab/ }).getByRole('button', { name: 'Allow', exact: true }).tap();
  await bar.getByText(/is controlling this tab/).waitFor({ timeout: 5_000 });
  const controlled = await bar.boundingBox();
  assert.ok(controlled && controlled.y > nav.y + nav.height && controlled.y + controlled.height <= height, `the controlled pill fits below the navigation: ${JSON.stringify(controlled)}`);
  await tabTo(page, 'Take back control');
  await page.keyboard.press('Enter');
  await bar.getByText(/is viewing this tab/).waitFor({ timeout: 5_000 });
  await agent.requestControl();
  await page.getByRole('dialog', { name: /wants to control this tab/ }).getByRole('button', { name: 'Allow', exact: true }).tap();
  await bar.getByRole('button', { name: 'Take back control' }).tap();
  await bar.getByText(/is viewing this tab/).waitFor({ timeout: 5_000 });

  // Stop: in the keyboard's Tab order, and ends the session with a tap.
  await tabTo(page, 'Stop sharing');
  await bar.getByRole('button', { name: 'Stop sharing' }).tap();
  await customer.widget().getByText('Session ended').waitFor({ timeout: 5_000 });
});

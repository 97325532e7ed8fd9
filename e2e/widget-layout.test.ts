/**
 * Issue 8, "stays out of the way": during a session the customer can still use their own site.
 * On the demo shop at 1280x800 the session bar sits at the bottom, on the theme's side, so the
 * header's navigation links stay clickable (the element at each link's centre is the link, not
 * our widget), in all four theme corners, light and dark, with the chat panel open, while an
 * agent controls the tab, and at 200% zoom. The bar and the chat panel never overlap, and the
 * customer can fold the bar into a small indicator that still shows who is watching.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { ConsolePage } from './support/console-page.ts';
import { CustomerPage } from './support/customer-page.ts';
import { withServer } from './support/server.ts';

const IMAGES = new URL('../docs/images/', import.meta.url).pathname;
const POSITIONS = ['bottom-right', 'bottom-left', 'top-right', 'top-left'] as const;

/** For each link of the site's header: "Shop: link" when its centre hits it, else what covers it. */
const HEADER_HITS = `[...document.querySelectorAll('header a')].map((a) => {
  const r = a.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return a.textContent.trim().replace(/\\s+/g, ' ') + ': ' + (hit && a.contains(hit) ? 'link' : hit ? hit.tagName.toLowerCase() : 'nothing');
})`;

async function assertHeaderClickable(page: Page, state: string): Promise<void> {
  const hits = (await page.evaluate(HEADER_HITS)) as string[];
  assert.ok(hits.length >= 6, `the demo's header has its links (${hits.join(', ')})`);
  assert.deepEqual(
    hits.filter((h) => !h.endsWith(': link')),
    [],
    `${state}: every header link is clickable (${hits.join(', ')})`,
  );
}

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (b: Box, width: number, height: number): boolean => b.x >= 0 && b.y >= 0 && b.x + b.width <= width && b.y + b.height <= height;

async function boxOf(locator: Locator, what: string): Promise<Box> {
  const box = await locator.boundingBox();
  assert.ok(box, `${what} is shown`);
  return box;
}

/** The deepest focused element's accessible name (aria-label or text), through shadow roots. */
function focusedName(page: Page): Promise<string> {
  return page.evaluate(
    '(() => { let el = document.activeElement; while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement; return ((el && (el.getAttribute("aria-label") || el.textContent)) || "").trim(); })()',
  );
}

async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 60 && (await focusedName(page)) !== name; i++) await page.keyboard.press('Tab');
  assert.equal(await focusedName(page), name, `Tab reaches "${name}"`);
}

const setTheme = (page: Page, theme: Record<string, string>): Promise<unknown> => page.evaluate(`window.Samepage.init({ theme: ${JSON.stringify(theme)} })`);

/** A customer on the demo shop in a session that the demo's admin ("Admin") has joined from the console. */
async function openSharedShop(t: TestContext, options: BrowserContextOptions): Promise<{ customer: CustomerPage; agent: ConsolePage }> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const server = await withServer(t);
  const customer = new CustomerPage(await (await browser.newContext(options)).newPage());
  await customer.open(`${server.url}/index.html`);
  const code = await customer.startSessionWithButton();
  const agent = new ConsolePage(await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage(), server.url);
  await agent.login(server.admin.email, server.admin.password);
  await agent.join(code);
  await customer.banner().getByText('Admin is viewing this tab').waitFor({ timeout: 10_000 });
  return { customer, agent };
}

/** The widget's polite live region (what screen readers were last told). */
const announced = (customer: CustomerPage): Promise<string> => customer.widget().locator('.sp-sr[role=status]').last().evaluate((n) => n.textContent ?? '');

test('demo shop at 1280x800: the header navigation stays clickable during a session, in every corner, light and dark, with the chat open and while controlled', { timeout: 90_000 }, async (t) => {
  const width = 1280;
  const height = 800;
  const { customer, agent } = await openSharedShop(t, { viewport: { width, height } });
  const { page } = customer;
  const bar = customer.banner();
  await assertHeaderClickable(page, 'default theme');
  if (process.env.UPDATE_SCREENSHOTS) {
    await page.mouse.move(640, 400); // no hover left on the bar from "Get help"
    await page.screenshot({ path: `${IMAGES}widget-desktop-shop.png` });
  }

  for (const position of POSITIONS) {
    for (const mode of ['light', 'dark']) {
      await setTheme(page, { position, mode });
      await customer.widget().and(page.locator(`[data-pos="${position}"][data-mode="${mode}"]`)).waitFor({ state: 'attached' });
      const state = `${position}, ${mode}`;
      const shown = await boxOf(bar, `the bar (${state})`);
      assert.ok(inside(shown, width, height), `${state}: the bar fits the window (${JSON.stringify(shown)})`);
      assert.ok(shown.y > height / 2, `${state}: the bar is at the bottom (${JSON.stringify(shown)})`);
      assert.ok(position.endsWith('left') ? shown.x < width / 2 : shown.x + shown.width > width / 2, `${state}: the bar is on the theme's side (${JSON.stringify(shown)})`);
      await assertHeaderClickable(page, state);

      // The chat panel opens beside the bar, never over it, nor over the navigation.
      await bar.getByRole('button', { name: 'Chat' }).click();
      const panel = await boxOf(customer.widget().getByRole('region', { name: 'Chat' }), `the chat panel (${state})`);
      const withChat = await boxOf(bar, `the bar with the chat open (${state})`);
      assert.ok(inside(panel, width, height), `${state}: the chat panel fits (${JSON.stringify(panel)})`);
      assert.ok(!overlaps(panel, withChat), `${state}: the chat panel ${JSON.stringify(panel)} and the bar ${JSON.stringify(withChat)} do not overlap`);
      await assertHeaderClickable(page, `${state}, chat open`);
      await page.keyboard.press('Escape');
      await customer.widget().getByRole('region', { name: 'Chat' }).waitFor({ state: 'detached' });
    }
  }
  await setTheme(page, { position: 'bottom-right', mode: 'light' });

  // Controlled: the bar says so, stays at the bottom, and "Take back control" works by keyboard.
  await agent.requestControl();
  await page.getByRole('dialog', { name: /wants to control this tab/ }).getByRole('button', { name: 'Allow', exact: true }).click();
  await bar.getByText('Admin is controlling this tab').waitFor({ timeout: 5_000 });
  assert.equal(await announced(customer), 'Admin is now controlling this tab');
  await assertHeaderClickable(page, 'controlled');
  const controlled = await boxOf(bar, 'the controlled bar');
  assert.ok(inside(controlled, width, height) && controlled.y > height / 2, `the controlled bar is at the bottom (${JSON.stringify(controlled)})`);
  await tabTo(page, 'Take back control');
  await page.keyboard.press('Enter');
  await bar.getByText('Admin is viewing this tab').waitFor({ timeout: 5_000 });
  assert.equal(await announced(customer), 'You have control of this tab again');

  // A real click on the site's navigation goes through, and the session follows to the next page.
  const featured = await boxOf(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Featured' }), 'the Featured link');
  await page.mouse.click(featured.x + featured.width / 2, featured.y + featured.height / 2);
  await page.waitForURL(/product\.html/, { timeout: 5_000 });
  await bar.getByText('is viewing this tab').waitFor({ timeout: 10_000 });
  await assertHeaderClickable(page, 'after navigating');
});

test('200% zoom (1280x800 at 2x): the bar is a pill at the bottom and the header navigation stays clickable', { timeout: 60_000 }, async (t) => {
  const { customer } = await openSharedShop(t, { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
  const pill = await boxOf(customer.banner(), 'the pill');
  assert.ok(inside(pill, 640, 400) && pill.y > 200, `the pill is at the bottom and fits (${JSON.stringify(pill)})`);
  await assertHeaderClickable(customer.page, '200% zoom');
  for (const name of ['Minimise', 'Chat', 'Stop sharing']) {
    const b = await boxOf(customer.banner().getByRole('button', { name, exact: true }), `"${name}"`);
    assert.ok(inside(b, 640, 400), `"${name}" is on screen (${JSON.stringify(b)})`);
  }
});

test('the customer folds the bar into a small live indicator (keyboard and pointer); it says who is watching, keeps Stop, and unfolds for a message or a control grant', { timeout: 60_000 }, async (t) => {
  const { customer, agent } = await openSharedShop(t, { viewport: { width: 1280, height: 800 } });
  const { page } = customer;
  const bar = customer.banner();
  const full = await boxOf(bar, 'the bar');

  // Keyboard: Tab to Minimise, Enter folds; the focus stays on the same button, now named for who is watching.
  await tabTo(page, 'Minimise');
  await page.keyboard.press('Enter');
  const indicator = bar.getByRole('button', { name: 'Admin is viewing this tab', exact: true });
  await indicator.waitFor();
  assert.equal(await indicator.getAttribute('aria-expanded'), 'false');
  assert.equal(await focusedName(page), 'Admin is viewing this tab', 'focus stays on the fold button');
  assert.equal(await bar.getByText('Admin is viewing this tab').isVisible(), false, 'the names are folded away');
  assert.equal(await bar.getByRole('button', { name: 'Chat' }).isVisible(), false, 'so is Chat');
  const folded = await boxOf(bar, 'the folded bar');
  assert.ok(folded.width < full.width / 2 && folded.y > 400 && folded.x + folded.width > 1100, `a small indicator in the same corner (${JSON.stringify(folded)}; unfolded ${JSON.stringify(full)})`);
  // Still plainly live: the green dot and an eye are drawn, and Stop stays one click away.
  const shown = await bar.evaluate((b) => [...b.querySelectorAll('.sp-dot, .sp-eye')].map((n) => (n.getBoundingClientRect().width > 0 ? n.getAttribute('class') : 'hidden')));
  assert.deepEqual(shown, ['sp-dot', 'sp-ico sp-eye']);
  assert.ok(await bar.getByRole('button', { name: 'Stop sharing' }).isVisible(), 'Stop is shown while folded');
  await assertHeaderClickable(page, 'folded');
  await page.keyboard.press('Enter');
  await bar.getByText('Admin is viewing this tab').waitFor();
  assert.equal(await focusedName(page), 'Minimise', 'unfolded in place, focus kept');

  // Pointer: fold, then a chat message from the agent unfolds the bar to show it.
  await bar.getByRole('button', { name: 'Minimise' }).click();
  await indicator.waitFor();
  await agent.sendChat('Hello, I can see your basket.');
  await bar.getByRole('button', { name: 'Chat, 1 new' }).waitFor({ timeout: 5_000 });
  assert.ok(await bar.getByText('Admin is viewing this tab').isVisible(), 'the message unfolded the bar');

  // Folded when an agent takes control: the bar unfolds, says so and offers "Take back control"; no folding then.
  await bar.getByRole('button', { name: 'Minimise' }).click();
  await indicator.waitFor();
  await agent.requestControl();
  await page.getByRole('dialog', { name: /wants to control this tab/ }).getByRole('button', { name: 'Allow', exact: true }).click();
  await bar.getByText('Admin is controlling this tab').waitFor({ timeout: 5_000 });
  assert.equal(await announced(customer), 'Admin is now controlling this tab');
  assert.ok(await bar.getByRole('button', { name: 'Take back control' }).isVisible());
  assert.equal(await bar.getByRole('button', { name: 'Minimise' }).count(), 0, 'the bar cannot be folded while an agent controls');
  await bar.getByRole('button', { name: 'Take back control' }).click();
  await bar.getByText('Admin is viewing this tab').waitFor({ timeout: 5_000 });

  // Stop, straight from the folded indicator.
  await bar.getByRole('button', { name: 'Minimise' }).click();
  await indicator.waitFor();
  await bar.getByRole('button', { name: 'Stop sharing' }).click();
  await customer.widget().getByText('Session ended').waitFor({ timeout: 5_000 });
  assert.equal(await announced(customer), 'The session has ended. Nobody can see this tab any more.');
});

/**
 * Issue 8, "for every customer": keyboard-only use of every prompt (control and co-browse
 * requests, the chat panel, take back, stop), focus in and back, Esc declines, a live region
 * announcing joins, control and the end; axe-core on the widget's shadow root in each state
 * with zero serious or critical violations (the session bar also folded); 320 px wide and 200%
 * zoom (the bar as a pill at the bottom, on the theme's side, in every corner); prefers-reduced-motion.
 * With UPDATE_SCREENSHOTS=1 it also writes the screenshots of docs/widget.md
 * (docs/images/widget-*.png); otherwise a test run leaves the docs untouched.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openSocket, type ServerJson } from './support/socket-client.ts';
import { socketUrl } from './support/server.ts';
import { startWidgetSite, type WidgetSite } from './support/widget-site.ts';
import { agentJoins, openCustomerPage, readCode, widget, widgetEnv, type WidgetEnv } from './support/widget-test.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const IMAGES = new URL('../docs/images/', import.meta.url).pathname;

let env: WidgetEnv;
let site: WidgetSite;
before(async () => {
  env = await widgetEnv();
  site = await startWidgetSite(env.t, env.server, { allowGuests: true });
});
after(() => env.close());

/** Serious and critical axe violations inside the widget, as "rule: target" lines. */
async function axe(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const a = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const result = await a.run(document.querySelector('samepage-widget'), { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
  assert.deepEqual(found, [], `axe, ${state}`);
}

const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot(process.env.UPDATE_SCREENSHOTS ? { path: `${IMAGES}widget-${name}.png` } : {});

/** The deepest focused element's accessible-ish name (text or aria-label). */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return (el?.getAttribute('aria-label') || el?.textContent || el?.getAttribute('name') || el?.tagName || '').trim();
  });
}

async function tabTo(page: Page, name: string, max = 12): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await focused(page)) === name) return;
    await page.keyboard.press('Tab');
  }
  assert.equal(await focused(page), name, `Tab reaches "${name}"`);
}

const announced = (page: Page): Promise<string> => widget(page).locator('.sp-sr[role=status]').last().evaluate((n) => n.textContent ?? '');

test('keyboard only, with axe in every state, and the screenshots', async () => {
  const customer = await openCustomerPage(env, { viewport: { width: 1000, height: 640 } });
  const { page } = customer;
  await customer.open(site.url('/plain.html'));
  await widget(page).getByRole('button', { name: 'Get help' }).waitFor();
  await axe(page, 'launcher');
  await shot(page, 'launcher');

  // Get help by keyboard; focus stays in the widget (on Cancel) when the code card replaces it.
  await tabTo(page, 'Get help');
  await page.keyboard.press('Enter');
  const code = await readCode(page);
  assert.equal(await focused(page), 'Cancel');
  await axe(page, 'code card');
  await shot(page, 'code');

  const agent = await agentJoins(env, code, 'Review your order before you pay.');
  await widget(page).getByText('Sam Rivera is viewing this tab').waitFor({ timeout: 5_000 });
  assert.equal(await announced(page), 'Sam Rivera joined and can see this tab');
  await axe(page, 'banner');
  await shot(page, 'banner');
  // Folded into the live indicator (who is watching is its name) and back.
  const bar = widget(page).getByRole('region', { name: 'Samepage session' });
  await bar.getByRole('button', { name: 'Minimise' }).click();
  await bar.getByRole('button', { name: 'Sam Rivera is viewing this tab', expanded: false }).waitFor();
  await axe(page, 'folded banner');
  await shot(page, 'folded');
  await bar.getByRole('button', { name: 'Sam Rivera is viewing this tab' }).click();
  await bar.getByRole('button', { name: 'Minimise', expanded: true }).waitFor();

  // Control prompt: focus moves in (on Deny), Tab stays inside, Esc declines, focus comes back.
  await page.locator('input[name=email]').focus();
  await agent.requestControl();
  const dialog = page.getByRole('dialog', { name: 'Sam Rivera wants to control this tab' });
  await dialog.waitFor();
  assert.equal(await focused(page), 'Deny');
  await axe(page, 'consent prompt');
  await shot(page, 'consent');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'Allow');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'Deny');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(page), 'Allow');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await focused(page), 'email', 'focus returns to where it was');
  await agent.page.getByText('Control denied: the customer declined your request.').waitFor();

  // Allow by keyboard; the take-back button is reachable by Tab; the live region says who controls.
  await agent.requestControl();
  await dialog.waitFor();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await widget(page).getByText('Sam Rivera is controlling this tab').waitFor();
  assert.equal(await announced(page), 'Sam Rivera is now controlling this tab');
  await agent.waitInControl();
  await axe(page, 'controlling');
  await shot(page, 'controlling');
  await tabTo(page, 'Take back control');
  await page.keyboard.press('Enter');
  await widget(page).getByText('Sam Rivera is viewing this tab').waitFor();
  assert.equal(await announced(page), 'You have control of this tab again');

  // Chat by keyboard: open, type, Enter sends, Esc closes and gives focus back to Chat.
  await agent.sendChat('Hi! I can see your order. Which size did you want?');
  await tabTo(page, 'Chat, 1 new');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Size L, please');
  await page.keyboard.press('Enter');
  await agent.chatMessages().getByText('Size L, please').waitFor();
  await widget(page).locator('.sp-msg.sp-own:not(.sp-sending)').waitFor();
  await axe(page, 'chat open');
  await shot(page, 'chat');
  await page.keyboard.press('Escape');
  await widget(page).locator('.sp-chat').waitFor({ state: 'detached' });
  assert.equal(await focused(page), 'Chat');

  // Stop by keyboard; the end is announced.
  await tabTo(page, 'Stop sharing');
  await page.keyboard.press('Enter');
  await widget(page).getByText('Session ended').waitFor();
  assert.equal(await announced(page), 'The session has ended. Nobody can see this tab any more.');
  await shot(page, 'ended');
  await agent.page.context().close();
  await page.context().close();
});

test('the co-browse request prompt by keyboard: Esc declines, Enter on Accept starts the session', async () => {
  const customer = await openCustomerPage(env, { viewport: { width: 1000, height: 640 } });
  const { page } = customer;
  await customer.open(site.url('/plain.html', { lang: 'de' }));
  await widget(page).getByRole('button', { name: 'Hilfe anfordern' }).waitFor();
  // The agent asks through the console's socket (live visitors, "ask to see the tab").
  const consoleCtx = await env.browser.newContext();
  const consolePage = await consoleCtx.newPage();
  const { ConsolePage } = await import('./support/console-page.ts');
  const c = new ConsolePage(consolePage, env.server.url);
  await c.loginByApi(env.agent.email, env.agent.password);
  const cookie = await c.sessionCookie();
  const socket = await openSocket(socketUrl(env.server), { origin: env.server.url.replace(/\/$/, ''), cookie });
  socket.send({ type: 'agent_hello', v: 1 });
  await socket.next('welcome');
  socket.send({ type: 'visitors_subscribe' });
  const visitorId = async (): Promise<string> => {
    for (;;) {
      const list = (await socket.next('visitors')) as ServerJson & { visitors: Record<string, unknown>[] };
      const v = list.visitors.find((x) => JSON.stringify(x).includes(site.origin));
      if (v) return String(v.visitorId ?? v.id);
    }
  };
  const id = await visitorId();
  socket.send({ type: 'cobrowse_request', visitorId: id });
  const dialog = page.getByRole('dialog', { name: /Sam Rivera von .* möchte diesen Tab sehen/ });
  await dialog.waitFor({ timeout: 5_000 }).catch(async (e: unknown) => {
    throw new Error(`no co-browse prompt; widget shows: ${await widget(page).evaluate((h) => h.shadowRoot?.textContent)}`, { cause: e });
  });
  assert.equal(await focused(page), 'Ablehnen');
  await axe(page, 'co-browse prompt');
  await shot(page, 'cobrowse-de');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  socket.send({ type: 'cobrowse_request', visitorId: id });
  await dialog.waitFor({ timeout: 5_000 });
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'Annehmen');
  await page.keyboard.press('Enter');
  await widget(page).getByText(/Sam Rivera sieht diesen Tab/).waitFor({ timeout: 10_000 });
  await socket.close();
  await consoleCtx.close();
  await page.context().close();
});

test('320 px wide and 200% zoom: the bar is a pill at the bottom (on the left for a top-left theme), everything fits and Stop stays reachable', async () => {
  for (const [label, options, attrs] of [
    ['320', { viewport: { width: 320, height: 640 } }, ''],
    ['zoom200', { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 }, ''],
    ['320 top-left', { viewport: { width: 320, height: 640 } }, 'data-position="top-left"'],
  ] as const) {
    const customer = await openCustomerPage(env, options);
    const { page } = customer;
    await customer.open(site.url('/plain.html', { attrs }));
    await widget(page).getByRole('button', { name: 'Get help' }).click();
    const code = await readCode(page);
    const card = await widget(page).locator('.sp-card').boundingBox();
    const { width, height } = options.viewport;
    assert.ok(card && card.x >= 0 && card.x + card.width <= width, `${label}: the code card fits (${JSON.stringify(card)})`);
    const agent = await agentJoins(env, code, 'Order summary');
    await widget(page).getByText('Sam Rivera is viewing this tab').waitFor({ timeout: 5_000 });
    const bar = widget(page).getByRole('region', { name: 'Samepage session' });
    const pill = await bar.boundingBox();
    assert.ok(pill && pill.x >= 0 && pill.x + pill.width <= width && pill.y >= 0 && pill.y + pill.height <= height, `${label}: the pill fits (${JSON.stringify(pill)})`);
    assert.ok(pill.y > height / 2, `${label}: the pill is at the bottom, away from the site's navigation (${JSON.stringify(pill)})`);
    if (attrs) assert.ok(pill.x < 20, `${label}: the pill is on the theme's side, the left (${JSON.stringify(pill)})`);
    for (const name of ['Minimise', 'Chat', 'Invite a friend', 'Stop sharing']) {
      const b = await bar.getByRole('button', { name, exact: true }).boundingBox();
      assert.ok(b && b.x >= 0 && b.x + b.width <= width && b.y >= 0 && b.y + b.height <= height, `${label}: "${name}" is on screen (${JSON.stringify(b)})`);
    }
    await axe(page, `banner at ${label}`);
    if (label === '320') {
      await shot(page, 'banner-320');
      // In control: the names, "Take back control" and Stop still fit (the actions wrap under the names).
      await agent.requestControl();
      await page.getByRole('dialog', { name: 'Sam Rivera wants to control this tab' }).getByRole('button', { name: 'Allow' }).click();
      await bar.getByText('Sam Rivera is controlling this tab').waitFor();
      for (const name of ['Take back control', 'Stop sharing']) {
        const b = await bar.getByRole('button', { name, exact: true }).boundingBox();
        assert.ok(b && b.x >= 0 && b.x + b.width <= width && b.y + b.height <= height, `${label}, controlled: "${name}" is on screen (${JSON.stringify(b)})`);
      }
      await axe(page, 'controlled at 320');
      await shot(page, 'controlling-320');
      await bar.getByRole('button', { name: 'Take back control' }).click();
      await bar.getByText('Sam Rivera is viewing this tab').waitFor();
    }
    await widget(page).getByRole('button', { name: 'Stop sharing' }).click();
    await widget(page).getByText('Session ended').waitFor();
    await agent.page.context().close();
    await page.context().close();
  }
});

/** Records, in the page, whether a laser trail ever started to fade (its `sp-fading` class). */
const WATCH_LASER_FADE = `(() => {
  const root = document.querySelector('samepage-widget').shadowRoot;
  window.__laserFaded = false;
  new MutationObserver((records) => {
    for (const r of records) if (r.target.classList && r.target.classList.contains('sp-fading')) window.__laserFaded = true;
  }).observe(root, { subtree: true, attributes: true, attributeFilter: ['class'] });
})()`;

test('prefers-reduced-motion: the agent’s pointer jumps instead of gliding and the laser trail goes without fading (both animate otherwise)', async () => {
  for (const motion of ['no-preference', 'reduce'] as const) {
    const customer = await openCustomerPage(env, { viewport: { width: 1000, height: 640 }, reducedMotion: motion });
    const { page } = customer;
    await customer.open(site.url('/plain.html'));
    await widget(page).getByRole('button', { name: 'Get help' }).click();
    const agent = await agentJoins(env, await readCode(page), 'Order summary');
    await widget(page).getByText('Sam Rivera is viewing this tab').waitFor({ timeout: 5_000 });

    // The pointer: a 60 ms glide between positions, none under reduced motion.
    const over = await agent.replicaPoint('h1', { dx: 20, dy: 10 });
    await agent.page.mouse.move(over.x - 30, over.y - 30);
    await agent.page.mouse.move(over.x, over.y, { steps: 5 });
    const pointer = widget(page).locator('.sp-pointer').filter({ hasText: 'Sam Rivera' });
    await pointer.waitFor({ timeout: 5_000 });
    assert.equal(await pointer.evaluate((p) => getComputedStyle(p).transitionDuration), motion === 'reduce' ? '0s' : '0.06s', `pointer, ${motion}`);

    // The laser: its trail fades out, or under reduced motion simply goes.
    await page.evaluate(WATCH_LASER_FADE);
    await agent.tool('Laser');
    await agent.page.mouse.move(over.x, over.y + 40);
    await agent.page.mouse.move(over.x + 120, over.y + 60, { steps: 10 });
    const trail = widget(page).locator('g.sp-laser');
    await trail.first().waitFor({ state: 'attached', timeout: 5_000 });
    await trail.first().waitFor({ state: 'detached', timeout: 5_000 });
    await page.waitForFunction('document.querySelector("samepage-widget").shadowRoot.querySelectorAll("g.sp-laser").length === 0', null, { timeout: 5_000 });
    assert.equal(await page.evaluate('window.__laserFaded'), motion !== 'reduce', `laser fade, ${motion}`);
    await agent.page.context().close();
    await page.context().close();
  }
});

test('themed: dark mode and a brand colour pass axe, in French (screenshots)', async () => {
  const customer = await openCustomerPage(env, { viewport: { width: 1000, height: 640 } });
  const { page } = customer;
  await customer.open(site.url('/plain.html', { lang: 'fr', attrs: 'data-mode="dark" data-brand-color="#0f766e" data-position="bottom-left"' }));
  await widget(page).getByRole('button', { name: 'Obtenir de l’aide' }).click();
  const code = await readCode(page);
  await axe(page, 'dark code card');
  await shot(page, 'dark-fr');
  const agent = await agentJoins(env, code, 'Order summary');
  await agent.requestControl();
  await page.getByRole('dialog', { name: 'Sam Rivera souhaite prendre le contrôle de cet onglet' }).waitFor();
  await axe(page, 'dark prompt');
  await shot(page, 'dark-consent-fr');
  await page.keyboard.press('Escape');
  await agent.page.context().close();
  await page.context().close();
});

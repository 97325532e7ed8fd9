/**
 * Issue 8, theming before any session and in the console's preview: "Get help" wears the site's
 * theme set in the console from the start (the presence socket's welcome brings it, and
 * localStorage keeps it for the next page), never a default-blue button restyled later; the
 * page's own options still win; and the console's live preview goes back to the default when a
 * field is cleared.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { SiteTheme } from '@samepage/protocol';
import { ConsolePage } from './support/console-page.ts';
import { startWidgetSite } from './support/widget-site.ts';
import { openCustomerPage, widget, widgetEnv, type WidgetEnv } from './support/widget-test.ts';

let env: WidgetEnv;
before(async () => {
  env = await widgetEnv();
});
after(() => env.close());

interface LauncherLook {
  text: string;
  bg: string;
  pos: string;
  mode: string;
  x: number;
  y: number;
}

/**
 * Records how the launcher looked in the task that added it (before its first paint): a
 * MutationObserver on the document sees our host with the button already inside (or the shadow
 * root's own observer sees the button). A string, so that no compiled helper names reach the page.
 */
const RECORD_FIRST_LAUNCHER = `(() => {
  const look = () => {
    const host = document.querySelector('samepage-widget');
    const b = host && host.shadowRoot && host.shadowRoot.querySelector('.sp-btn');
    if (!b || window.__firstLauncher) return;
    const r = b.getBoundingClientRect();
    window.__firstLauncher = { text: b.textContent, bg: getComputedStyle(b).backgroundColor, pos: host.getAttribute('data-pos'), mode: host.getAttribute('data-mode'), x: r.x, y: r.y };
  };
  let watched = false;
  new MutationObserver(() => {
    look();
    const host = document.querySelector('samepage-widget');
    if (host && host.shadowRoot && !watched) {
      watched = true;
      new MutationObserver(look).observe(host.shadowRoot, { childList: true });
    }
  }).observe(document, { childList: true, subtree: true });
})()`;

const firstLauncher = (page: Page): Promise<LauncherLook | null> => page.evaluate('window.__firstLauncher || null') as Promise<LauncherLook | null>;

async function launcherLook(page: Page, name: string): Promise<LauncherLook> {
  const b = widget(page).getByRole('button', { name, exact: true });
  await b.waitFor({ timeout: 10_000 });
  return b.evaluate((el) => {
    const host = (el.getRootNode() as ShadowRoot).host;
    const r = el.getBoundingClientRect();
    return { text: el.textContent ?? '', bg: getComputedStyle(el).backgroundColor, pos: host.getAttribute('data-pos') ?? '', mode: host.getAttribute('data-mode') ?? '', x: r.x, y: r.y };
  });
}

const sdkScripts = (page: Page): Promise<string[]> => page.evaluate(() => [...document.scripts].map((s) => new URL(s.src || location.href).pathname).filter((p) => p.startsWith('/sdk')));

// First: the site editor shows the first site, so no other site exists yet.
test('the console’s theme preview goes back to the default as soon as a field is cleared', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const admin = new ConsolePage(await context.newPage(), env.server.url);
  await admin.login(env.server.admin.email, env.server.admin.password);
  const { page } = admin;
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Sites', exact: true }).click();
  const previewHost = page.locator('section[aria-label="Widget preview"] figure').first().locator('[aria-hidden="true"] > div');
  const launcher = previewHost.locator('.sp-btn').first();
  await launcher.waitFor();
  const look = () =>
    launcher.evaluate((b) => {
      const host = (b.getRootNode() as ShadowRoot).host;
      return { bg: getComputedStyle(b).backgroundColor, color: getComputedStyle(b).color, pos: host.getAttribute('data-pos'), mode: host.getAttribute('data-mode') };
    });
  const until = async (what: string, want: Awaited<ReturnType<typeof look>>): Promise<void> => {
    let seen = await look();
    for (let i = 0; i < 100 && JSON.stringify(seen) !== JSON.stringify(want); i++) {
      await page.waitForTimeout(50);
      seen = await look();
    }
    assert.deepEqual(seen, want, what);
  };
  const defaults = { bg: 'rgb(37, 99, 235)', color: 'rgb(255, 255, 255)', pos: '', mode: '' };
  await until('the default theme', defaults);

  await page.getByLabel('Brand colour').fill('#fde047');
  await page.getByLabel('Position').selectOption({ label: 'Top left' });
  await page.getByLabel('Mode').selectOption({ label: 'Dark' });
  await until('the typed theme', { bg: 'rgb(253, 224, 71)', color: 'rgb(17, 17, 17)', pos: 'top-left', mode: 'dark' });

  await page.getByLabel('Brand colour').fill('');
  await until('the default colours again, without a reload', { bg: 'rgb(37, 99, 235)', color: 'rgb(255, 255, 255)', pos: 'top-left', mode: 'dark' });
  await page.getByLabel('Position').selectOption('');
  await page.getByLabel('Mode').selectOption('');
  await until('all defaults again', defaults);
  await context.close();
});

test('“Get help” wears the site’s console theme from its first paint: welcome on a first visit, the cache after (presence off too), live when the theme changes, page options on top', async () => {
  const theme: SiteTheme = { brandColor: '#0f766e', position: 'top-left', mode: 'dark', text: { getHelp: 'Ask Northwind' } };
  const site = await startWidgetSite(env.t, env.server, { theme });
  const customer = await openCustomerPage(env);
  const { page } = customer;
  await page.addInitScript(RECORD_FIRST_LAUNCHER);
  const themed = { text: 'Ask Northwind', bg: 'rgb(15, 118, 110)', pos: 'top-left', mode: 'dark' };
  const inTopLeft = (look: LauncherLook | null) => look !== null && look.x < 40 && look.y < 40;

  // First visit: nothing cached, so the button waits for the presence socket's welcome.
  await customer.open(site.url('/plain.html'));
  const first = await launcherLook(page, 'Ask Northwind');
  assert.deepEqual({ text: first.text, bg: first.bg, pos: first.pos, mode: first.mode }, themed);
  const painted = await firstLauncher(page);
  assert.deepEqual(painted && { text: painted.text, bg: painted.bg, pos: painted.pos, mode: painted.mode }, themed, 'the first button shown was already themed');
  assert.ok(inTopLeft(painted), `in the console’s corner from the start: ${JSON.stringify(painted)}`);
  assert.deepEqual(await sdkScripts(page), ['/sdk.js'], 'only the loader: no session, no capture bundle');

  // Next page, with the presence socket off: the theme comes from the cache, at once.
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await customer.open(site.url('/plain.html', { attrs: 'data-presence="off"' }));
  await launcherLook(page, 'Ask Northwind');
  const cached = await firstLauncher(page);
  assert.deepEqual(cached && { text: cached.text, bg: cached.bg, pos: cached.pos, mode: cached.mode }, themed, 'themed from localStorage');
  assert.deepEqual(sockets, [], 'no socket with presence off');

  // The admin changes the theme: the next page shows the cached one, then the new one, live.
  await env.server.store.updateSite(site.site.tenantId, site.site.id, {
    policy: { ...site.site.policy, theme: { brandColor: '#b91c1c', position: 'bottom-left', text: { getHelp: 'Chat with Northwind' } } } as never,
  });
  await customer.open(site.url('/plain.html'));
  const changed = await launcherLook(page, 'Chat with Northwind');
  assert.deepEqual({ bg: changed.bg, pos: changed.pos, mode: changed.mode }, { bg: 'rgb(185, 28, 28)', pos: 'bottom-left', mode: '' });
  assert.ok(changed.x < 40 && changed.y > 600, `bottom-left now: ${JSON.stringify(changed)}`);

  // The page's own options win over the console's, field by field.
  await customer.open(site.url('/plain.html', { attrs: 'data-brand-color="#fde047" data-position="top-right"' }));
  const own = await launcherLook(page, 'Chat with Northwind');
  assert.deepEqual({ bg: own.bg, pos: own.pos }, { bg: 'rgb(253, 224, 71)', pos: 'top-right' });
  await page.context().close();
});

test('a first visit whose presence socket never says hello still gets “Get help”, in the page’s options', async () => {
  const site = await startWidgetSite(env.t, env.server, { theme: { brandColor: '#0f766e', text: { getHelp: 'Ask Northwind' } } });
  const customer = await openCustomerPage(env);
  const { page } = customer;
  // A network that drops WebSockets: the welcome never comes.
  await page.routeWebSocket(/\/ws$/, (ws) => ws.close());
  await customer.open(site.url('/plain.html', { attrs: 'data-brand-color="#7c3aed"' }));
  const look = await launcherLook(page, 'Get help');
  assert.equal(look.bg, 'rgb(124, 58, 237)');
  await page.context().close();
});

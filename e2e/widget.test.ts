/**
 * Issue 8, "fits any site" and "stays out of the way": the widget on hostile pages (global
 * CSS, a CSP that only allows the Samepage origin, frozen and monkey-patched built-ins), never
 * in the agent's replica, reporting what it shows to the console, adding no globals, leaving
 * history alone, causing no layout shift; each theme option; each shipped language.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWidgetSite, type WidgetSite } from './support/widget-site.ts';
import { agentJoins, openCustomerPage, readCode, widget, widgetEnv, type WidgetEnv } from './support/widget-test.ts';

/** Fails with the surrounding text if `pattern` occurs in `html`. */
function assertAbsent(html: string, pattern: RegExp): void {
  const m = pattern.exec(html);
  assert.equal(m && html.slice(Math.max(0, m.index - 200), m.index + 100), null, `the replica holds widget content (${pattern})`);
}

let env: WidgetEnv;
let site: WidgetSite;

before(async () => {
  env = await widgetEnv();
  site = await startWidgetSite(env.t, env.server, { theme: { text: { codeHint: 'Server theme hint: read the code to Northwind support.' } } });
});
after(() => env.close());

describe('fits any site', () => {
  test('hostile global CSS: the widget still renders, works, and its CSS stays inside', async () => {
    const customer = await openCustomerPage(env);
    const { page } = customer;
    await customer.open(site.url('/hostile-css.html'));
    const launcher = widget(page).getByRole('button', { name: 'Get help' });
    await launcher.waitFor({ timeout: 10_000 });
    const box = await launcher.boundingBox();
    assert.ok(box && box.width > 60 && box.height > 30, `launcher has a real size: ${JSON.stringify(box)}`);
    assert.ok(box.x + box.width <= 1100 - 10 && box.y + box.height <= 720 - 10 && box.x > 700 && box.y > 600, `launcher in the bottom-right corner of the viewport: ${JSON.stringify(box)}`);
    const style = await launcher.evaluate((b) => {
      const s = getComputedStyle(b);
      return { bg: s.backgroundColor, color: s.color, font: s.fontSize, display: s.display, visibility: s.visibility };
    });
    assert.deepEqual(style, { bg: 'rgb(37, 99, 235)', color: 'rgb(255, 255, 255)', font: '15px', display: 'block', visibility: 'visible' });
    // It is on top of the z-index war: the launcher's centre hits the launcher.
    const hit = await page.evaluate(([x, y]) => {
      const host = document.elementFromPoint(x!, y!);
      const inner = host?.shadowRoot?.elementFromPoint(x!, y!);
      return `${host?.tagName}/${inner?.textContent}`;
    }, [box.x + box.width / 2, box.y + box.height / 2]);
    assert.equal(hit, 'SAMEPAGE-WIDGET/Get help');
    // Our classes on the page's own elements get none of our styles.
    const pageButton = await page.locator('#page-button').evaluate((b) => getComputedStyle(b).position);
    assert.equal(pageButton, 'static');
    await launcher.click();
    const code = await readCode(page);
    assert.match(code, /^\d{6}$/);
    const card = await widget(page).locator('.sp-card').evaluate((c) => ({ bg: getComputedStyle(c).backgroundColor, w: c.getBoundingClientRect().width }));
    assert.deepEqual(card, { bg: 'rgb(255, 255, 255)', w: 300 });
    await page.context().close();
  });

  test('CSP that allows only the Samepage origin: constructable stylesheets, the session starts and an agent joins', async () => {
    const customer = await openCustomerPage(env);
    const { page } = customer;
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
    });
    await customer.open(site.url('/csp-strict.html'));
    const launcher = widget(page).getByRole('button', { name: 'Get help' });
    await launcher.waitFor({ timeout: 10_000 });
    assert.equal(await launcher.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(37, 99, 235)', 'styled despite style-src without unsafe-inline');
    assert.equal(await widget(page).evaluate((h) => h.shadowRoot?.querySelectorAll('style').length), 0, 'no <style> elements: adoptedStyleSheets');
    await launcher.click();
    const code = await readCode(page);
    const agent = await agentJoins(env, code, 'Only the Samepage origin is allowed here');
    await widget(page).getByText('Sam Rivera is viewing this tab').waitFor({ timeout: 5_000 });
    assert.deepEqual(violations, [], 'no CSP violation');
    await agent.page.context().close();
    await page.context().close();
  });

  test('frozen and monkey-patched globals (JSON, Array.prototype, Object.prototype, fetch, MutationObserver): the session streams and an agent sees it', async () => {
    const customer = await openCustomerPage(env);
    const { page } = customer;
    // Playwright's waitForFunction does not survive this page's frozen prototypes: poll with evaluate.
    await page.goto(site.url('/hostile-globals.html'));
    for (let i = 0; i < 100 && !(await page.evaluate(() => typeof (window as { Samepage?: unknown }).Samepage === 'object')); i++) await page.waitForTimeout(50);
    assert.equal(await page.evaluate(() => JSON.stringify.toString().includes('native')), false, 'the page really broke JSON');
    await widget(page).getByRole('button', { name: 'Get help' }).click();
    const code = await readCode(page);
    const agent = await agentJoins(env, code, 'The page froze and patched its globals');
    await widget(page).getByText('Sam Rivera is viewing this tab').waitFor({ timeout: 5_000 });
    // Mutations still stream, with the page's MutationObserver replaced twice.
    await agent.waitForReplicaText('Added later by the page');
    // The replica never holds the widget.
    const replica = await agent.replica();
    assert.ok(replica);
    assertAbsent(replica.html, /Sam Rivera is viewing|Get help|Your code|sp-banner|sp-card/);
    assert.doesNotMatch(replica.text, new RegExp(code.slice(0, 3)));
    await agent.page.context().close();
    await page.context().close();
  });
});

describe('kept out of the recording, shown to the console instead', () => {
  test('the replica has no widget content; host_status.ui tells what the widget shows', async () => {
    const customer = await openCustomerPage(env);
    const { page } = customer;
    await customer.open(site.url('/plain.html'));
    await widget(page).getByRole('button', { name: 'Get help' }).click();
    const code = await readCode(page);
    const statuses: unknown[] = [];
    const agent = await agentJoins(env, code, 'Review your order before you pay.', (console_) =>
      console_.on('websocket', (ws) => ws.on('framereceived', (f) => typeof f.payload === 'string' && f.payload.includes('"host_status"') && statuses.push(JSON.parse(f.payload)))),
    );
    await widget(page).getByRole('region', { name: 'Samepage session' }).getByRole('button', { name: 'Chat' }).click();
    await widget(page).getByRole('textbox', { name: 'Message' }).waitFor();
    const replica = await agent.replica();
    assert.ok(replica && replica.text.includes('Order summary'));
    assertAbsent(replica.html, /samepage-widget[^>]*>[^<]|Sam Rivera is viewing|Write a message|sp-chat/);
    // The console's socket hears what the customer sees: banner and chat.
    const deadline = Date.now() + 5_000;
    while (!statuses.some((s) => JSON.stringify(s).includes('"chat"')) && Date.now() < deadline) await page.waitForTimeout(50);
    const last = statuses.at(-1) as { ui?: string[] } | undefined;
    assert.deepEqual(last?.ui, ['banner', 'chat']);
    // …and the console says so, next to the status pill.
    const sees = agent.page.getByTestId('customer-sees');
    await sees.filter({ hasText: 'chat open' }).waitFor({ timeout: 5_000 });
    assert.equal(await sees.textContent(), 'Customer sees: the Samepage banner · chat open');
    assert.equal(await sees.getAttribute('aria-live'), 'polite');
    await agent.page.context().close();
    await page.context().close();
  });
});

describe('stays out of the way', () => {
  test('no globals beyond Samepage, history untouched, no layout shift, nothing heavy at load', async () => {
    const customer = await openCustomerPage(env);
    const { page } = customer;
    await page.addInitScript(() => {
      const w = window as unknown as Record<string, unknown>;
      w.__before = Object.getOwnPropertyNames(window);
      w.__push = history.pushState;
      w.__replace = history.replaceState;
      w.__cls = 0;
      w.__historyLength = history.length;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as (PerformanceEntry & { value: number })[]) (w.__cls as number) += e.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await customer.open(site.url('/plain.html'));
    await widget(page).getByRole('button', { name: 'Get help' }).waitFor();
    await page.waitForTimeout(300);
    const result = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      const before = new Set(w.__before as string[]);
      const added = Object.getOwnPropertyNames(window).filter((n) => !before.has(n) && !n.startsWith('__'));
      return {
        added,
        pushNative: history.pushState === w.__push && /native code/.test(Function.prototype.toString.call(history.pushState)),
        replaceNative: history.replaceState === w.__replace && /native code/.test(Function.prototype.toString.call(history.replaceState)),
        historyLength: history.length - (w.__historyLength as number),
        cls: w.__cls,
        scripts: [...document.scripts].map((s) => new URL(s.src || location.href).pathname),
      };
    });
    assert.deepEqual(result.added, ['Samepage']);
    assert.ok(result.pushNative && result.replaceNative, 'history.pushState/replaceState are the browser’s');
    assert.equal(result.historyLength, 0, 'no history entries added');
    assert.equal(result.cls, 0, 'no layout shift');
    assert.deepEqual(result.scripts.filter((p) => p.startsWith('/sdk')), ['/sdk.js'], 'only the loader until a session starts');
    // A session, then its end: still one global, history still untouched.
    await widget(page).getByRole('button', { name: 'Get help' }).click();
    await readCode(page);
    await widget(page).getByRole('button', { name: 'Cancel' }).click();
    const afterSession = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      const before = new Set(w.__before as string[]);
      return { added: Object.getOwnPropertyNames(window).filter((n) => !before.has(n) && !n.startsWith('__')), length: history.length - (w.__historyLength as number), cls: w.__cls };
    });
    assert.deepEqual(afterSession, { added: ['Samepage'], length: 0, cls: 0 });
    await page.context().close();
  });
});

describe('theming', () => {
  const corners = [
    ['bottom-right', (b: Box) => b.x > 900 && b.y > 600],
    ['bottom-left', (b: Box) => b.x < 40 && b.y > 600],
    ['top-right', (b: Box) => b.x > 900 && b.y < 40],
    ['top-left', (b: Box) => b.x < 40 && b.y < 40],
  ] as const;
  type Box = { x: number; y: number; width: number; height: number };

  test('brand colour (with readable text), each corner, dark mode, from data-* attributes', async () => {
    const customer = await openCustomerPage(env);
    const { page } = customer;
    for (const [position, inCorner] of corners) {
      await customer.open(site.url('/plain.html', { attrs: `data-position="${position}" data-brand-color="#fde047" data-mode="dark"` }));
      const launcher = widget(page).getByRole('button', { name: 'Get help' });
      await launcher.waitFor();
      const box = await launcher.boundingBox();
      assert.ok(box && inCorner(box), `${position}: ${JSON.stringify(box)}`);
      const colours = await launcher.evaluate((b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]);
      assert.deepEqual(colours, ['rgb(253, 224, 71)', 'rgb(17, 17, 17)'], 'a light brand colour gets dark text');
    }
    // Dark mode: the code card is dark; the card sits in the chosen corner (top-left here).
    await launcherClick(page);
    const card = widget(page).locator('.sp-card');
    await card.waitFor();
    const look = await card.evaluate((c) => ({ bg: getComputedStyle(c).backgroundColor, box: c.getBoundingClientRect().toJSON() as Box }));
    assert.equal(look.bg, 'rgb(30, 41, 59)');
    assert.ok(look.box.x < 40 && look.box.y < 40);
    await widget(page).getByRole('button', { name: 'Cancel' }).click();
    await page.context().close();
  });

  test('mode auto follows prefers-color-scheme; logo and texts from init({ theme }) win over the server theme', async () => {
    const customer = await openCustomerPage(env, { colorScheme: 'dark' });
    const { page } = customer;
    await customer.open(site.url('/plain.html', { attrs: 'data-mode="auto"' }));
    await widget(page).getByRole('button', { name: 'Get help' }).click();
    const card = widget(page).locator('.sp-card');
    await card.waitFor();
    assert.equal(await card.evaluate((c) => getComputedStyle(c).backgroundColor), 'rgb(30, 41, 59)', 'dark, as the system is');
    // The server's theme (set on the site) applies once connected.
    await widget(page).getByText('Server theme hint: read the code to Northwind support.').waitFor();
    await page.emulateMedia({ colorScheme: 'light' });
    assert.equal(await card.evaluate((c) => getComputedStyle(c).backgroundColor), 'rgb(255, 255, 255)', 'light again, live');
    await widget(page).getByRole('button', { name: 'Cancel' }).click();
    // SDK options: text overrides and a logo, over the server's.
    await page.evaluate((logo) => {
      (window as unknown as { Samepage: { init(o: unknown): void } }).Samepage.init({
        theme: { logoUrl: logo, brandColor: '#0f766e', text: { getHelp: 'Talk to Northwind', yourCode: 'Your help code', codeHint: 'Page option hint.' } },
      });
    }, `${env.server.url}/favicon.ico`);
    await widget(page).getByRole('button', { name: 'Talk to Northwind' }).click();
    await widget(page).getByText('Your help code').waitFor();
    await widget(page).getByText('Page option hint.').waitFor();
    assert.equal(await widget(page).locator('.sp-card img.sp-logo').getAttribute('alt'), '');
    assert.match((await widget(page).locator('.sp-card img.sp-logo').getAttribute('src')) ?? '', /favicon/);
    assert.equal(await widget(page).locator('.sp-code').evaluate((c) => getComputedStyle(c).borderLeftColor), 'rgb(15, 118, 110)');
    await page.context().close();
  });
});

async function launcherClick(page: import('playwright-core').Page): Promise<void> {
  await widget(page).locator('.sp-btn').first().click();
}

describe('languages', () => {
  const expected = {
    en: { help: 'Get help', code: 'Your code', cancel: 'Cancel' },
    fr: { help: 'Obtenir de l’aide', code: 'Votre code', cancel: 'Annuler' },
    de: { help: 'Hilfe anfordern', code: 'Ihr Code', cancel: 'Abbrechen' },
    es: { help: 'Obtener ayuda', code: 'Su código', cancel: 'Cancelar' },
  } as const;

  test('each shipped language from <html lang>, each from data-lang over it, and from the browser; unknown falls back', async () => {
    const customer = await openCustomerPage(env, { locale: 'de-DE' });
    const { page } = customer;
    const check = async (url: string, lang: keyof typeof expected, why: string): Promise<void> => {
      await customer.open(url);
      const texts = expected[lang];
      await widget(page).getByRole('button', { name: texts.help, exact: true }).click({ timeout: 5_000 }).catch((e: unknown) => {
        throw new Error(`${why}: no "${texts.help}" button`, { cause: e });
      });
      await widget(page).getByRole('heading', { name: texts.code }).waitFor({ timeout: 5_000 });
      await widget(page).getByRole('button', { name: texts.cancel, exact: true }).click();
      await widget(page).getByRole('button', { name: texts.help, exact: true }).waitFor();
    };
    for (const lang of ['en', 'fr', 'de', 'es'] as const) await check(site.url('/plain.html', { lang }), lang, `<html lang="${lang}">`);
    for (const lang of ['en', 'fr', 'de', 'es'] as const) {
      const page_ = lang === 'en' ? 'fr' : 'en';
      await check(site.url('/plain.html', { lang: page_, attrs: `data-lang="${lang}"` }), lang, `data-lang="${lang}" over lang="${page_}"`);
    }
    await check(site.url('/plain.html', { lang: 'it' }), 'de', 'Italian page, German browser');
    await page.context().close();
    const english = await openCustomerPage(env, { locale: 'pt-BR' });
    await english.open(site.url('/plain.html', { lang: 'ja' }));
    await widget(english.page).getByRole('button', { name: 'Get help', exact: true }).waitFor();
    await english.page.context().close();
  });

  test('init({ lang }) overrides; the agent’s name appears in the customer’s language', async () => {
    const customer = await openCustomerPage(env);
    const { page } = customer;
    await customer.open(site.url('/plain.html', { lang: 'en' }));
    await page.evaluate(() => (window as unknown as { Samepage: { init(o: unknown): void } }).Samepage.init({ lang: 'fr' }));
    await widget(page).getByRole('button', { name: 'Obtenir de l’aide' }).waitFor();
    const code = await page.evaluate(() => (window as unknown as { Samepage: { startSession(): Promise<{ code: string }> } }).Samepage.startSession().then((r) => r.code));
    await widget(page).getByRole('heading', { name: 'Votre code' }).waitFor();
    const agent = await agentJoins(env, code, 'Order summary');
    await widget(page).getByText('Sam Rivera voit cet onglet').waitFor({ timeout: 5_000 });
    await agent.requestControl();
    const dialog = page.getByRole('dialog', { name: 'Sam Rivera souhaite prendre le contrôle de cet onglet' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Autoriser' }).click();
    await widget(page).getByText('Sam Rivera contrôle cet onglet').waitFor();
    await widget(page).getByRole('button', { name: 'Reprendre le contrôle' }).click();
    await widget(page).getByText('Sam Rivera voit cet onglet').waitFor();
    await widget(page).getByRole('button', { name: 'Arrêter le partage' }).click();
    await widget(page).getByText('Session terminée').waitFor();
    await agent.page.context().close();
    await page.context().close();
  });
});

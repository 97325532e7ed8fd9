/**
 * Assets the agent's browser cannot fetch itself (issue 5, checklist 19; docs/FIDELITY.md,
 * "Assets"), in real Chromium: (a) an image, a stylesheet's background and a web font behind
 * the customer's login, supplied by the customer's tab (SDK `inlineAssets`); (b) a plain-http
 * image while the console runs on https (mixed content), fetched by the proxy; (c) a font the
 * site serves without CORS headers. Each asserts what the replica really shows: decoded image
 * pixels, FontFace status and the text's measured width.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { makeSelfSignedCert, startServer, type StartServerOptions } from '@samepage/server';
import { launchChromium } from './support/browser.ts';
import { ConsolePage, waitForConsoleExpression } from './support/console-page.ts';
import { CustomerPage } from './support/customer-page.ts';
import { tenantIdOf } from './support/fixture-site.ts';
import type { TestServer } from './support/server.ts';

const FONT = fs.readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf');
const LOGIN_COOKIE = 'shop_login=yes';

function solidPng(rgb: [number, number, number], size = 40): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([...rgb, 255], i);
  return PNG.sync.write(png);
}

interface Site {
  origin: string;
  /** Requests that reached the site, with whether they carried the customer's login. */
  hits: Array<{ path: string; loggedIn: boolean }>;
}

/** The customer's site. Paths under /private/ answer 403 without the customer's login cookie; nothing sends CORS headers. */
async function startSite(t: TestContext, host: string, page: () => string): Promise<Site> {
  const files: Record<string, [string, Buffer]> = {
    '/private/logo.png': ['image/png', solidPng([220, 38, 38])],
    '/private/hero.png': ['image/png', solidPng([22, 163, 74])],
    '/private/brand.ttf': ['font/ttf', FONT],
    '/private/style.css': ['text/css', Buffer.from("@font-face{font-family:Brand;src:url(/private/brand.ttf) format('truetype')}.hero{width:40px;height:40px;background-image:url(/private/hero.png)}")],
    '/logo.png': ['image/png', solidPng([37, 99, 235])],
    '/fonts/brand.ttf': ['font/ttf', FONT],
  };
  const hits: Site['hits'] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const loggedIn = (req.headers.cookie ?? '').includes(LOGIN_COOKIE);
    hits.push({ path, loggedIn });
    if (path === '/page.html') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page());
    const file = files[path];
    if (!file) return void res.writeHead(404).end();
    if (path.startsWith('/private/') && !loggedIn) return void res.writeHead(403).end();
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.on('connection', (socket) => t.after(() => socket.destroy()));
  // Requests still open (a tab that is closing) must not keep the test waiting.
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return { origin: `http://${host}:${(server.address() as AddressInfo).port}`, hits };
}

async function serverFor(t: TestContext, options: StartServerOptions): Promise<TestServer> {
  const server = await startServer({ ...options, log: false });
  t.after(() => server.close());
  return server;
}

const sdkTag = (server: TestServer, siteKey: () => string, extra = '') => `<script src="${server.url}/sdk.js" data-site-key="${siteKey()}" ${extra} async></script>`;

async function createSite(server: TestServer, origin: string): Promise<string> {
  const site = await server.store.createSite({ tenantId: await tenantIdOf(server), name: `Assets ${origin}`, allowedOrigins: [origin] });
  return site.siteKey;
}

/** Customer and agent in one Chromium, in separate contexts: the agent never has the customer's cookies. */
async function joinSession(t: TestContext, server: TestServer, pageUrl: string, options: { localHosts?: string[]; customerCookie?: { name: string; value: string; url: string } } = {}) {
  const browser = await launchChromium({ localHosts: options.localHosts ?? [] });
  t.after(() => browser.close());
  const customerContext = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 900, height: 600 } });
  if (options.customerCookie) await customerContext.addCookies([options.customerCookie]);
  const customer = new CustomerPage(await customerContext.newPage());
  const agent = new ConsolePage(await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } })).newPage(), server.url);
  await customer.open(pageUrl);
  const code = await customer.startSession();
  await agent.login(server.admin.email, server.admin.password);
  await agent.join(code);
  await agent.waitForReplicaText('Corner shop');
  return { customer, agent };
}

/** An image in the replica once it has finished loading: its URL, size and the colour of its middle pixel. */
async function replicaImage(agent: Page, selector: string) {
  await waitForConsoleExpression(agent, `(() => { const img = window.__samepageReplica?.document()?.querySelector(${JSON.stringify(selector)}); return !!img && img.complete; })()`, `the replica's ${selector} to load`, 15_000);
  return agent.evaluate(`(() => {
    const img = window.__samepageReplica.document().querySelector(${JSON.stringify(selector)});
    if (!img.naturalWidth) return { src: img.src, width: 0, rgb: null };
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(img.naturalWidth >> 1, img.naturalHeight >> 1, 1, 1).data;
    return { src: img.src, width: img.naturalWidth, rgb: [d[0], d[1], d[2]] };
  })()`) as Promise<{ src: string; width: number; rgb: number[] | null }>;
}

/** Whether the Brand web font is loaded in a document, and the measured width of #brand set in it. */
const FONT_STATE = (doc: string) => `(async () => {
  const doc = ${doc};
  await doc.fonts.ready;
  const face = [...doc.fonts].find((f) => f.family.replace(/["']/g, '') === 'Brand');
  return { status: face ? face.status : 'missing', width: doc.querySelector('#brand').getBoundingClientRect().width };
})()`;

async function waitForReplicaFont(agent: Page): Promise<{ status: string; width: number }> {
  await waitForConsoleExpression(agent, `(() => { const d = window.__samepageReplica?.document(); return !!d && [...d.fonts].some((f) => f.family.replace(/["']/g, '') === 'Brand' && f.status !== 'loading' && f.status !== 'unloaded'); })()`, 'the Brand font', 15_000)
    .catch(() => undefined); // the assertion below says what went wrong
  return agent.evaluate(FONT_STATE('window.__samepageReplica.document()')) as Promise<{ status: string; width: number }>;
}

const BRAND_TEXT = '<p><span id="brand" style="font:32px Brand, monospace">WWW illi</span></p>';

test('(a) an image, a stylesheet background and a web font behind the customer’s login appear in the replica, supplied by the customer’s tab', { timeout: 90_000 }, async (t) => {
  // No ASSET_PROXY_ALLOW_PRIVATE: the proxy itself could not reach this loopback site, and the
  // site refuses anyone without the customer's cookie anyway. Only the customer's tab can.
  const server = await serverFor(t, {});
  let siteKey = '';
  const site = await startSite(t, '127.0.0.1', () =>
    [
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Corner shop</title><link rel="stylesheet" href="/private/style.css"></head><body>',
      '<h1>Corner shop (members)</h1>',
      '<img id="logo" src="/private/logo.png" width="40" height="40" alt="Members logo"><div class="hero" id="hero"></div>',
      BRAND_TEXT,
      '<div data-samepage-block><img id="blocked" src="/private/logo.png?blocked" width="40" height="40" alt=""></div>',
      sdkTag(server, () => siteKey, 'data-inline-assets'),
      '</body></html>',
    ].join(''),
  );
  siteKey = await createSite(server, site.origin);
  const { customer, agent } = await joinSession(t, server, `${site.origin}/page.html`, { customerCookie: { name: 'shop_login', value: 'yes', url: site.origin } });

  const logo = await replicaImage(agent.page, '#logo');
  assert.ok(logo.src.startsWith(`${server.url}/assets/proxy?`), `routed through the proxy: ${logo.src}`);
  assert.equal(logo.width, 40, 'the image decoded in the replica');
  assert.deepEqual(logo.rgb, [220, 38, 38], 'with the customer’s pixels');

  const hero = (await agent.page.evaluate(`getComputedStyle(window.__samepageReplica.document().querySelector('#hero')).backgroundImage`)) as string;
  const heroUrl = /url\("?([^")]+)"?\)/.exec(hero)?.[1] ?? '';
  assert.ok(heroUrl.startsWith(`${server.url}/assets/proxy?`), `the stylesheet’s background is routed: ${hero}`);
  const heroAnswer = (await agent.page.evaluate(`fetch(${JSON.stringify(heroUrl)}).then((r) => ({ status: r.status, source: r.headers.get('x-samepage-asset-source') }))`)) as { status: number; source: string };
  assert.deepEqual(heroAnswer, { status: 200, source: 'customer' });

  const font = await waitForReplicaFont(agent.page);
  const customerFont = (await customer.page.evaluate(FONT_STATE('document'))) as { status: string; width: number };
  assert.equal(customerFont.status, 'loaded', 'control: the customer’s page has the font');
  assert.equal(font.status, 'loaded', 'the web font loaded in the replica');
  assert.ok(Math.abs(font.width - customerFont.width) < 1, `the text has the customer’s width (${font.width} vs ${customerFont.width})`);

  // Nobody but the customer's tab got the private assets: not the proxy, not the agent's browser.
  assert.deepEqual(site.hits.filter((h) => h.path.startsWith('/private/') && !h.loggedIn), []);
  assert.ok(server.assets.stats().customerAssets >= 3, `served from the customer's uploads: ${server.assets.stats().customerAssets}`);
  // The image inside a blocked element was not uploaded (uploads are keyed s:<session>:<url>, session-assets.ts).
  const sessionId = [...server.relay.sessions.keys()][0];
  assert.equal(server.assets.cache.get(`s:${sessionId}:${site.origin}/private/logo.png?blocked`), null);
  assert.ok(server.assets.cache.get(`s:${sessionId}:${site.origin}/private/logo.png`), 'control: the visible logo was uploaded');
});

test('(b) a plain-http image while the console runs on https appears in the replica, through the proxy', { timeout: 90_000 }, async (t) => {
  const cert = makeSelfSignedCert();
  t.after(() => cert.remove());
  // shop.test is not a loopback name, so the browser applies mixed-content rules to it; both
  // the browser and the server's proxy resolve it to this machine (hence ALLOW_PRIVATE here).
  const server = await serverFor(t, {
    env: { TLS_CERT: cert.certPath, TLS_KEY: cert.keyPath, ASSET_PROXY_ALLOW_PRIVATE: '1' },
    assetResolve: async (host) => (host === 'shop.test' ? [{ address: '127.0.0.1', family: 4 }] : Promise.reject(new Error(`ENOTFOUND ${host}`))),
  });
  assert.match(server.url, /^https:/);
  let siteKey = '';
  const site = await startSite(t, 'shop.test', () =>
    [
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Corner shop</title></head><body>',
      '<h1>Corner shop on http</h1><img id="logo" src="/logo.png" width="40" height="40" alt="Corner shop logo">',
      sdkTag(server, () => siteKey),
      '</body></html>',
    ].join(''),
  );
  siteKey = await createSite(server, site.origin);
  const { agent } = await joinSession(t, server, `${site.origin}/page.html`, { localHosts: ['shop.test'] });
  assert.match(agent.page.url(), /^https:/);
  const logo = await replicaImage(agent.page, '#logo');
  assert.ok(logo.src.startsWith(`${server.url}/assets/proxy?`), `the http image is routed through the https proxy: ${logo.src}`);
  assert.equal(logo.width, 40, 'the image loaded in the https console');
  assert.deepEqual(logo.rgb, [37, 99, 235]);
  assert.equal(server.assets.stats().fetches, 1, 'the proxy fetched it from the site');
});

test('(c) a web font the site serves without CORS headers renders in the replica', { timeout: 90_000 }, async (t) => {
  const server = await serverFor(t, { env: { ASSET_PROXY_ALLOW_PRIVATE: '1' } });
  let siteKey = '';
  const site = await startSite(t, '127.0.0.1', () =>
    [
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Corner shop</title>',
      "<style>@font-face{font-family:Brand;src:url(/fonts/brand.ttf) format('truetype')}</style></head><body>",
      '<h1>Corner shop fonts</h1>',
      BRAND_TEXT,
      sdkTag(server, () => siteKey),
      '</body></html>',
    ].join(''),
  );
  siteKey = await createSite(server, site.origin);
  const { customer, agent } = await joinSession(t, server, `${site.origin}/page.html`);
  // Control: the console's origin may not load this font directly (no Access-Control-Allow-Origin).
  const direct = (await agent.page.evaluate(`fetch(${JSON.stringify(`${site.origin}/fonts/brand.ttf`)}, { mode: 'cors' }).then(() => 'loaded', () => 'blocked')`)) as string;
  assert.equal(direct, 'blocked');
  const font = await waitForReplicaFont(agent.page);
  const customerFont = (await customer.page.evaluate(FONT_STATE('document'))) as { status: string; width: number };
  assert.equal(customerFont.status, 'loaded');
  assert.equal(font.status, 'loaded', 'the font loaded in the replica through the proxy');
  assert.ok(Math.abs(font.width - customerFont.width) < 1, `same text width as the customer’s (${font.width} vs ${customerFont.width})`);
});

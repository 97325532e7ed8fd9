/**
 * Assets behind the customer's login in an end-to-end encrypted session (issue 9, "Assets are
 * inlined into the encrypted stream"; docs/E2EE.md, "Assets"). With `data-inline-assets` the
 * customer's tab fetches its own origin's images and fonts with its cookie and, because the
 * session is encrypted, sends them sealed inside the DOM stream instead of uploading them. The
 * console turns them into local URLs: the replica shows the image's pixels and loads the web font.
 * Unique markers inside the SVG image and the stylesheet are then searched for everywhere the
 * server could hold them (every socket frame in and out, the late-join cache, the asset proxy's
 * cache, every stored row and database file, every log line, every request body the customer's
 * page sent the server), in every encoding; and every HTTP request the server received is listed:
 * not one asset upload. The same page without encryption uploads the assets and the same search
 * finds both markers, which proves it can.
 *
 * Real server, real Chromium (customer and agent in their own contexts), a real SQLite file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { createUser, openConsole, openCustomer, withBrowser } from './support/collab.ts';
import { cacheSources, findCanaries, frameSources, startTappedServer, storageSources, type TappedServer } from './support/e2ee-harness.ts';
import { waitForConsoleExpression } from './support/console-page.ts';
import { compareCodes, verifyAgent } from './support/e2ee-pages.ts';
import { tenantIdOf } from './support/fixture-site.ts';

const AGENT = 'Ann Agent';
const LATE = 'Sam Supervisor';
const FONT = fs.readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf');
const LOGIN_COOKIE = 'shop_login';

interface Markers {
  svg: string;
  css: string;
}

interface Shop {
  origin: string;
  pageUrl: string;
  /** Requests for /private/ files, and whether they carried the customer's login. */
  hits: Array<{ path: string; loggedIn: boolean }>;
}

/** The customer's site: a page whose image, stylesheet and font answer 403 without the customer's login cookie. */
async function startShop(t: TestContext, server: TappedServer, markers: Markers, e2ee: boolean): Promise<Shop> {
  let siteKey = '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><desc>${markers.svg}</desc><rect width="40" height="40" fill="rgb(220,38,38)"/></svg>`;
  const files: Record<string, [string, Buffer]> = {
    '/private/logo.svg': ['image/svg+xml', Buffer.from(svg)],
    '/private/brand.ttf': ['font/ttf', FONT],
    '/private/style.css': ['text/css', Buffer.from(`@font-face{font-family:Brand;src:url(/private/brand.ttf) format('truetype')}#note::after{content:"${markers.css}"}`)],
  };
  const page = () =>
    [
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Members shop</title><link rel="stylesheet" href="/private/style.css"></head><body>',
      '<h1>Members shop</h1>',
      '<img id="logo" src="/private/logo.svg" width="40" height="40" alt="Members logo">',
      '<p><span id="brand" style="font:32px Brand, monospace">WWW illi</span></p><p id="note">Note</p>',
      `<script src="${server.url}/sdk.js" data-site-key="${siteKey}" data-widget data-inline-assets${e2ee ? ' data-e2ee' : ''} async></script>`,
      '</body></html>',
    ].join('');
  const hits: Shop['hits'] = [];
  const site = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path === '/page.html') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page());
    const loggedIn = (req.headers.cookie ?? '').includes(`${LOGIN_COOKIE}=yes`);
    hits.push({ path, loggedIn });
    const file = files[path];
    if (!file) return void res.writeHead(404).end();
    if (!loggedIn) return void res.writeHead(403).end();
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  site.on('connection', (socket) => t.after(() => socket.destroy()));
  t.after(() => new Promise<void>((resolve) => site.close(() => resolve())));
  const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const record = await server.store.createSite({
    tenantId: await tenantIdOf(server as never),
    name: 'Members shop',
    allowedOrigins: [origin],
    policy: { e2ee, allowNavigation: false, allowGuests: false, recordSessions: false },
  });
  siteKey = record.siteKey;
  return { origin, pageUrl: `${origin}/page.html`, hits };
}

/** Every HTTP request any server of this process receives: method, Host and path (the bodies are left alone). */
function tapHttpRequests(t: TestContext): string[] {
  const seen: string[] = [];
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]): boolean {
    if (event === 'request') {
      const req = args[0] as http.IncomingMessage;
      seen.push(`${req.method} ${req.headers.host} ${req.url}`);
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
  t.after(() => {
    http.Server.prototype.emit = emit;
  });
  return seen;
}

/** The replica's #logo once it shows a local (blob:) image: its URL, size and middle pixel. */
async function replicaLogo(agent: Page, local: boolean): Promise<{ src: string; width: number; rgb: number[] | null }> {
  const ready = local ? "img.src.startsWith('blob:') && img.complete && img.naturalWidth > 0" : 'img.complete && img.naturalWidth > 0';
  await waitForConsoleExpression(agent, `(() => { const img = window.__samepageReplica?.document()?.querySelector('#logo'); return !!img && ${ready}; })()`, 'the replica logo', 20_000)
    .catch(() => undefined); // the assertions below say what went wrong
  return agent.evaluate(`(() => {
    const img = window.__samepageReplica?.document()?.querySelector('#logo');
    if (!img || !img.naturalWidth) return { src: img ? img.src : '', width: 0, rgb: null };
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(img.naturalWidth >> 1, img.naturalHeight >> 1, 1, 1).data;
    return { src: img.src, width: img.naturalWidth, rgb: [d[0], d[1], d[2]] };
  })()`) as Promise<{ src: string; width: number; rgb: number[] | null }>;
}

const FONT_STATE = (doc: string) => `(async () => {
  const doc = ${doc};
  await doc.fonts.ready;
  const face = [...doc.fonts].find((f) => f.family.replace(/["']/g, '') === 'Brand');
  return { status: face ? face.status : 'missing', width: doc.querySelector('#brand').getBoundingClientRect().width };
})()`;

async function replicaFont(agent: Page): Promise<{ status: string; width: number }> {
  await waitForConsoleExpression(agent, `(() => { const d = window.__samepageReplica?.document(); return !!d && [...d.fonts].some((f) => f.family.replace(/["']/g, '') === 'Brand' && f.status === 'loaded'); })()`, 'the Brand font', 20_000)
    .catch(() => undefined);
  return agent.evaluate(FONT_STATE('window.__samepageReplica.document()')) as Promise<{ status: string; width: number }>;
}

/** The asset proxy's cache as search sources (customer uploads are kept there: `s:<session>:<url>`). */
function assetCacheSources(server: TappedServer): Array<[string, Buffer]> {
  const entries = (server.assets.cache as unknown as { entries: Map<string, { bytes: Buffer }> }).entries;
  return [...entries].map(([key, entry]): [string, Buffer] => [`asset cache ${key}`, entry.bytes]);
}

async function runSession(t: TestContext, e2ee: boolean) {
  const requests = tapHttpRequests(t);
  const browser = await withBrowser(t);
  const server = await startTappedServer(t);
  const markers: Markers = { svg: `cnrysvg${Math.random().toString(36).slice(2, 10)}`, css: `cnrycss${Math.random().toString(36).slice(2, 10)}` };
  const shop = await startShop(t, server, markers, e2ee);
  const user = await createUser(server, 'senior_agent', AGENT);
  const customer = await openCustomer(browser);
  await customer.page.context().addCookies([{ name: LOGIN_COOKIE, value: 'yes', url: shop.origin }]);
  const sent: Array<[string, Buffer]> = [];
  customer.page.on('request', (request) => {
    if (request.url().startsWith(server.url)) sent.push([`customer request ${request.method()} ${request.url()}`, request.postDataBuffer() ?? Buffer.alloc(0)]);
  });
  const agent = await openConsole(browser, server, user);

  await customer.open(shop.pageUrl);
  const code = await customer.startSession();
  await agent.join(code);
  if (e2ee) await verifyAgent(customer, agent, AGENT);
  await agent.waitForReplicaText('Members shop', { timeout: 20_000 });
  const logo = await replicaLogo(agent.page, e2ee);
  const font = await replicaFont(agent.page);
  const customerFont = (await customer.page.evaluate(FONT_STATE('document'))) as { status: string; width: number };

  /** Searched again after everything the test does: every place the server could hold a marker. */
  const search = (): string[] =>
    findCanaries(
      [
        ...frameSources(server),
        ...cacheSources(server),
        ...assetCacheSources(server),
        ...storageSources(server),
        ...server.logs.map((line, i): [string, string] => [`log line #${i}`, line]),
        ...sent,
      ],
      [markers.svg, markers.css],
    );
  const serverPort = new URL(server.url).port;
  const serverRequests = (): string[] => requests.filter((r) => r.split(' ')[1]?.endsWith(`:${serverPort}`));
  return { browser, server, shop, customer, markers, logo, font, customerFont, search, serverRequests };
}

test('end-to-end encrypted: an image and a web font behind the customer’s login render in the replica from the sealed stream; no byte of them reaches the server, and nothing is uploaded', { timeout: 120_000 }, async (t) => {
  const { browser, server, shop, customer, logo, font, customerFont, search, serverRequests } = await runSession(t, true);

  assert.ok(logo.src.startsWith('blob:'), `the image is a local blob: URL made in the console: ${logo.src}`);
  assert.equal(logo.width, 40, 'the SVG decoded in the replica');
  assert.deepEqual(logo.rgb, [220, 38, 38], 'with the customer’s pixels');
  assert.equal(customerFont.status, 'loaded', 'control: the customer’s page has the font');
  assert.equal(font.status, 'loaded', 'the web font loaded in the replica');
  assert.ok(Math.abs(font.width - customerFont.width) < 1, `the text has the customer’s width (${font.width} vs ${customerFont.width})`);

  // A late joiner gets the assets too: they travel in every keyframe, and it gets its own.
  const late = await openConsole(browser, server, await createUser(server, 'supervisor', LATE));
  await late.page.getByTestId('live-session').filter({ hasText: AGENT }).getByRole('button', { name: /^Join the .*session with/ }).click({ timeout: 15_000 });
  const lateCodes = await compareCodes(customer, late, LATE);
  assert.equal(lateCodes.customer, lateCodes.agent);
  const lateLogo = await replicaLogo(late.page, true);
  assert.ok(lateLogo.src.startsWith('blob:'), `the late joiner's image is local too: ${lateLogo.src}`);
  assert.deepEqual(lateLogo.rgb, [220, 38, 38], 'with the customer’s pixels');
  assert.equal((await replicaFont(late.page)).status, 'loaded', 'and the web font');

  assert.deepEqual(search(), [], 'no marker from the image or the stylesheet anywhere on the server');
  const requests = serverRequests();
  assert.deepEqual(requests.filter((r) => r.includes('/assets/session/')), [], 'no asset upload or manifest reached the server');
  assert.ok(requests.some((r) => r.includes(' /sdk/assets.js')), `control: the tap sees the server’s requests (assets.js was loaded): ${requests.slice(0, 8).join('; ')}`);
  assert.equal(server.assets.stats().customerAssets, 0);
  assert.equal(server.assets.uploads.sessionIds().length, 0);
  // Only the customer's tab got the private files; whatever else asked (the agent's browser before
  // the keyframe that carried them, or the proxy) got a 403 and no byte.
  assert.ok(shop.hits.some((h) => h.path === '/private/logo.svg' && h.loggedIn), 'the customer’s tab fetched the image with its cookie');
  const sealed = server.frames.filter((f) => f.dir === 'in' && f.binary && f.data[0] === 0x02 && f.data[2] === 0x01);
  assert.ok(sealed.length >= 2, `the keyframe that carried the assets went encrypted (${sealed.length} encrypted keyframes)`);
  t.diagnostic(`encrypted keyframes from the tab (bytes): ${sealed.map((f) => f.data.byteLength).join(', ')}; the font is ${FONT.byteLength} bytes`);
  assert.equal(server.frames.filter((f) => f.binary && f.data[0] === 0x01).length, 0, 'no plaintext DOM frame at all');
});

test('control: the same page without encryption uploads the assets to the server, and the same search finds both markers there (the test can fail)', { timeout: 120_000 }, async (t) => {
  const { markers, logo, font, search, serverRequests } = await runSession(t, false);
  const found = search();
  assert.equal(logo.width, 40, 'the image reached the replica (through the proxy)');
  assert.deepEqual(logo.rgb, [220, 38, 38]);
  assert.equal(font.status, 'loaded');
  const requests = serverRequests();
  assert.ok(requests.some((r) => r.startsWith('POST') && r.includes('/assets/session/asset')), `the tab uploaded: ${requests.filter((r) => r.includes('/assets/')).join('; ')}`);
  assert.ok(found.some((f) => f.startsWith(`${markers.svg} `) && f.includes('asset cache')), `the SVG marker is found in the uploaded bytes; found: ${found.slice(0, 5).join('; ')}`);
  assert.ok(found.some((f) => f.startsWith(`${markers.css} `)), `the stylesheet marker is found; found: ${found.slice(0, 5).join('; ')}`);
});

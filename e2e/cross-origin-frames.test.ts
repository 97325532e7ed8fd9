/**
 * Cross-origin frames that run the SDK (issue 5; docs/SECURITY.md, "Framed pages"): a shop on
 * one origin frames a payment partner's page on another, both with the SDK. The partner's page
 * is mirrored inside the replica only after the server confirmed that the framing origin is
 * allowed for the partner's site or tenant; it is redacted in the frame's own tab; and a
 * framing page the server does not confirm gets nothing. Real Chromium, four local origins
 * (one port each), a real server and SQLite file, and a tap on every frame the page sends.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { ConsolePage } from './support/console-page.ts';
import { CustomerPage } from './support/customer-page.ts';
import { tenantIdOf } from './support/fixture-site.ts';
import { startFixtureOrigins, type FixtureOrigin } from './support/frame-origins.ts';
import { tapSentFrames } from './support/frame-tap.ts';
import { withServer, type TestServer } from './support/server.ts';

/** Text of the partner's page (e2e/fixtures/frames/partner.html). */
const PARTNER_HEADING = 'PayPartner secure payment';
const PARTNER_PLAN = 'Three instalments of £49.00 with PayPartner Flex';
/** In partner.html, matched by a redact selector of the shop's site (same tenant), not the partner's. */
const PARTNER_NOTE = 'QX-4471-RIVERSTONE';
/** What rogue.html posts to its parent, forging our mark: it must never be merged. */
const ROGUE_TEXT = 'ROGUE-INJECTED-TEXT-7731';
const PASSWORD = 'Hunter2-Kx9zqW7-frame';
const HOLDER = 'Alexandra Quinn Morgan';

/** Installed before any page script: every rrweb message the top page receives, before the SDK's filter. */
const LOG_FRAME_MESSAGES = `if (window === window.top) {
  window.__frameMessages = [];
  addEventListener('message', (e) => {
    const d = e.data;
    if (d && typeof d === 'object' && d.type === 'rrweb') window.__frameMessages.push({ origin: e.origin, marked: d.samepage === 1 });
  }, true);
}`;

interface Setup {
  browser: Browser;
  server: TestServer;
  shop: FixtureOrigin;
  partner: FixtureOrigin;
  rogue: FixtureOrigin;
  /** Another tenant's site that also frames the partner. */
  framer: FixtureOrigin;
}

async function setUp(t: TestContext): Promise<Setup> {
  // t.after runs in registration order: the browser goes before the server.
  const browser = await launchChromium();
  t.after(() => browser.close());
  const server = await withServer(t);
  const [shop, partner, rogue, framer] = (await startFixtureOrigins(t, 4)) as [FixtureOrigin, FixtureOrigin, FixtureOrigin, FixtureOrigin];
  const tenantId = await tenantIdOf(server);
  // The shop's site lists the partner's origin (the frames it merges); the partner's site lists only its own.
  const shopSite = await server.store.createSite({ tenantId, name: 'Shop', allowedOrigins: [shop.origin, partner.origin], redaction: { redact: ['.partner-note'] } });
  const partnerSite = await server.store.createSite({ tenantId, name: 'PayPartner', allowedOrigins: [partner.origin] });
  const elsewhere = await server.store.createTenant('Elsewhere Ltd');
  const framerSite = await server.store.createSite({ tenantId: elsewhere.id, name: 'Framer', allowedOrigins: [framer.origin, partner.origin] });
  for (const [origin, key] of [[shop, shopSite.siteKey], [partner, partnerSite.siteKey], [framer, framerSite.siteKey]] as const) {
    Object.assign(origin.values, { SERVER: server.url, SITE_KEY: key, PARTNER_ORIGIN: partner.origin, ROGUE_ORIGIN: rogue.origin });
  }
  Object.assign(rogue.values, { SERVER: server.url });
  return { browser, server, shop, partner, rogue, framer };
}

async function openCustomer(browser: Browser, url: string): Promise<{ customer: CustomerPage; page: Page; tap: ReturnType<typeof tapSentFrames> }> {
  const page = await (await browser.newContext()).newPage();
  await page.addInitScript(LOG_FRAME_MESSAGES);
  const tap = tapSentFrames(page);
  const customer = new CustomerPage(page);
  await customer.open(url);
  return { customer, page, tap };
}

/** The page's frame from `origin`, once its SDK loader has run. */
async function frameFrom(page: Page, origin: FixtureOrigin, sdk = true): Promise<Frame> {
  const frame = page.frames().find((f) => f.url().startsWith(`${origin.origin}/`));
  assert.ok(frame, `a frame from ${origin.origin} (frames: ${page.frames().map((f) => f.url()).join(', ')})`);
  if (sdk) await frame.waitForFunction(`typeof window.Samepage?.startSession === 'function'`, null, { timeout: 10_000 });
  return frame;
}

/** The rendered text of the replica's frame `selector`, or null while it has no document. */
const REPLICA_FRAME_TEXT = (selector: string): string => `(() => {
  const doc = window.__samepageReplica && window.__samepageReplica.document();
  const frame = doc && doc.querySelector(${JSON.stringify(selector)});
  const body = frame && frame.contentDocument && frame.contentDocument.body;
  return body ? (body.innerText || body.textContent || '') : null;
})()`;

/** Polls from here: the console's CSP forbids the eval behind waitForFunction(string). */
async function waitForFrameText(agent: ConsolePage, selector: string, text: string): Promise<void> {
  const until = Date.now() + 10_000;
  let seen: unknown = null;
  while (Date.now() < until) {
    seen = await agent.page.evaluate(REPLICA_FRAME_TEXT(selector));
    if (typeof seen === 'string' && seen.includes(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the replica's ${selector} never showed "${text}"; it shows: ${JSON.stringify(seen)}`);
}

async function startAndJoin(env: Setup, customer: CustomerPage): Promise<ConsolePage> {
  const code = await customer.startSession();
  const agent = new ConsolePage(await (await env.browser.newContext()).newPage(), env.server.url);
  await agent.login(env.server.admin.email, env.server.admin.password);
  await agent.join(code);
  await agent.waitForReplicaText('Northwind checkout');
  return agent;
}

test('a cross-origin frame that runs the SDK is mirrored inside the replica, live, once the server confirmed the framing origin', async (t) => {
  const env = await setUp(t);
  const { customer, page, tap } = await openCustomer(env.browser, env.shop.url('/shop.html'));
  const partner = await frameFrom(page, env.partner);
  const agent = await startAndJoin(env, customer);

  await waitForFrameText(agent, '#partner', PARTNER_HEADING);
  await waitForFrameText(agent, '#partner', PARTNER_PLAN);
  // A change inside the frame after the join arrives too (incremental, not only the snapshot).
  await partner.evaluate(`document.getElementById('markers').textContent = 'frame marker after the join'`);
  await waitForFrameText(agent, '#partner', 'frame marker after the join');

  // The frame posted its events to the top page, marked as redacted by our SDK.
  const messages = (await page.evaluate('window.__frameMessages')) as Array<{ origin: string; marked: boolean }>;
  const fromPartner = messages.filter((m) => m.origin === env.partner.origin);
  assert.ok(fromPartner.length > 0 && fromPartner.every((m) => m.marked), `the partner's frame posted marked events (${JSON.stringify(messages.slice(0, 5))})`);
  const decoded = tap.decode();
  assert.deepEqual(decoded.errors, [], 'the tap could read every frame');
  assert.ok(decoded.texts.some((text) => text.includes(PARTNER_PLAN)), 'positive control: the frame’s text reaches the server inside the shop’s stream');
});

test('the shared frame is redacted in its own tab: a password and a masked field typed in it, and text the framing site redacts, never reach the server', async (t) => {
  const env = await setUp(t);
  const { customer, page, tap } = await openCustomer(env.browser, env.shop.url('/shop.html'));
  const partner = await frameFrom(page, env.partner);
  const agent = await startAndJoin(env, customer);
  await waitForFrameText(agent, '#partner', PARTNER_HEADING);

  // One key at a time: every intermediate value is a chance to leak.
  await partner.locator('#holder').pressSequentially(HOLDER);
  await partner.locator('#pw').pressSequentially(PASSWORD);
  await partner.evaluate(`document.getElementById('markers').textContent = 'frame marker after the password'`);
  await waitForFrameText(agent, '#partner', 'frame marker after the password');
  // The password field exists in the replica, masked.
  const masked = (await agent.page.evaluate(`(() => {
    const doc = window.__samepageReplica.document();
    const field = doc.querySelector('#partner').contentDocument.querySelector('#pw');
    return field ? field.value : null;
  })()`)) as string | null;
  assert.ok(masked !== null && masked !== PASSWORD && masked.length !== PASSWORD.length, `the replica's password field is masked (got ${JSON.stringify(masked)})`);

  const replica = await agent.replica();
  assert.ok(replica && replica.html.includes(PARTNER_PLAN), 'positive control: agent.replica() reads the frame');
  const everything = [replica.html, replica.text, ...replica.values].join('\n');
  for (const secret of [PASSWORD, HOLDER, PARTNER_NOTE]) assert.ok(!everything.includes(secret), `"${secret}" is in the agent’s replica`);

  const decoded = tap.decode();
  assert.deepEqual(decoded.errors, [], 'the tap could read every frame');
  assert.ok(decoded.texts.some((text) => text.includes('frame marker after the password')), 'positive control: the tap reads the frame’s events');
  assert.notDeepEqual(tap.findLeaks([PARTNER_PLAN]), [], 'positive control: findLeaks finds the frame’s plain text');
  // Prefixes catch a value sent keystroke by keystroke.
  assert.deepEqual(tap.findLeaks([PASSWORD, PASSWORD.slice(0, 8), HOLDER, HOLDER.slice(0, 9), PARTNER_NOTE]), []);
});

test('frames the site does not list are never merged, even when they forge the SDK’s mark', async (t) => {
  const env = await setUp(t);
  const { customer, page, tap } = await openCustomer(env.browser, env.shop.url('/shop.html'));
  const rogue = await frameFrom(page, env.rogue, false);
  const agent = await startAndJoin(env, customer);
  await waitForFrameText(agent, '#partner', PARTNER_HEADING);

  // The page's own listeners (an analytics replay tool, say) still get every message: the filter
  // sits in front of the SDK's recorder only.
  await page.evaluate(`window.__pageSaw = 0; addEventListener('message', (e) => { if (e.data && e.data.type === 'rrweb') window.__pageSaw++; });`);
  assert.equal(await rogue.evaluate('window.postRogueSnapshot()'), true);
  // Posted before the marker: had it been merged, it would be in the stream before the marker.
  await customer.addMarker('marker after the rogue frame');
  await agent.waitForReplicaText('marker after the rogue frame');
  const messages = (await page.evaluate('window.__frameMessages')) as Array<{ origin: string; marked: boolean }>;
  assert.ok(messages.some((m) => m.origin === env.rogue.origin), 'positive control: the rogue frame’s message reached the top page');
  assert.ok(((await page.evaluate('window.__pageSaw')) as number) > 0, 'a listener the page added later still got the rogue message');

  const replica = await agent.replica();
  assert.ok(replica && !replica.html.includes(ROGUE_TEXT), 'the rogue frame’s content is not in the replica');
  assert.match(String(await agent.page.evaluate(REPLICA_FRAME_TEXT('#rogue'))), /is not shared/, 'the rogue frame is a labelled placeholder');
  assert.deepEqual(tap.findLeaks([ROGUE_TEXT]), []);
});

test('a frame whose framing origin the server does not confirm posts nothing to it, and none of its page reaches the server', async (t) => {
  const env = await setUp(t);
  // Another tenant's page frames the partner, runs a real session and says hello to the frame.
  const { customer, page, tap } = await openCustomer(env.browser, env.framer.url('/shop.html'));
  const partner = await frameFrom(page, env.partner);
  await partner.evaluate(`window.__errors = []; window.Samepage.on('error', (e) => window.__errors.push(e.code));`);
  await customer.startSession();

  // The frame gets the hello, loads capture.js, asks the server, and is refused (or, were the
  // check broken, starts posting): wait for either, then judge.
  const partnerPosted = async (): Promise<boolean> =>
    ((await page.evaluate('window.__frameMessages')) as Array<{ origin: string }>).some((m) => m.origin === env.partner.origin);
  const until = Date.now() + 10_000;
  let refused = false;
  while (!(refused = (await partner.evaluate(`window.__errors.includes('frame_parent_not_allowed')`)) as boolean) && !(await partnerPosted())) {
    if (Date.now() > until) throw new Error('the frame neither posted nor reported a refusal');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(refused, 'the frame was refused (frame_parent_not_allowed) rather than posting to the framing page');
  // The framing page's own content streams (positive control), the frame's never did.
  await customer.addMarker('marker after the refusal');
  const messages = (await page.evaluate('window.__frameMessages')) as Array<{ origin: string; marked: boolean }>;
  assert.deepEqual(messages.filter((m) => m.origin === env.partner.origin), [], 'the partner’s frame posted nothing to the framing page');
  await waitForTapText(tap, 'marker after the refusal');
  const decoded = tap.decode();
  assert.deepEqual(decoded.errors, [], 'the tap could read every frame');
  assert.ok(decoded.texts.some((text) => text.includes('Northwind checkout')), 'positive control: the framing page’s text reaches the server');
  assert.deepEqual(tap.findLeaks([PARTNER_HEADING, PARTNER_PLAN, PARTNER_NOTE]), []);
});

/** Waits until the page has sent `text` (its own DOM stream), so that everything before it was sent too. */
async function waitForTapText(tap: ReturnType<typeof tapSentFrames>, text: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!tap.decode().texts.some((t) => t.includes(text))) {
    if (Date.now() > until) throw new Error(`the page never sent "${text}"`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

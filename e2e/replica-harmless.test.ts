/**
 * The replica must be harmless (issue 4): a hostile customer page, and crafted DOM frames sent
 * straight to the socket, shown in the real console in Chromium. Nothing may run in the
 * console, no request may reach the attacker's host from the agent's browser, and the agent's
 * login cookie cannot be read. See docs/SECURITY.md §2.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { PROTOCOL_VERSION } from '@samepage/protocol';
import { launchChromium } from './support/browser.ts';
import { ConsolePage } from './support/console-page.ts';
import { CustomerPage } from './support/customer-page.ts';
import { withServer, socketUrl, type TestServer } from './support/server.ts';
import { openSocket } from './support/socket-client.ts';
import { startAttackerListener, startFixtureSite, type AttackerHit } from './support/hostile-sites.ts';
import { buildHostileEvents, encodeKeyframe } from './support/hostile-snapshot.ts';

/** The agent's browser says who it is, so the attacker's log tells its requests from the customer's. */
const AGENT_UA = 'SamepageAgentConsole/e2e';

type Source = 'sdk' | 'crafted';

interface HostileRun {
  agent: ConsolePage;
  server: TestServer;
  dialogs: string[];
  /** <script> elements in the replica document once it showed everything (-1: no replica). */
  replicaScripts: number;
  agentHits(): AttackerHit[];
  /** Requests from the agent's browser to the customer's own (allowed) origin. */
  agentAllowedHits(): AttackerHit[];
}

/**
 * Runs in the console page before its scripts: what the console must do, done from outside.
 * Plain JavaScript text, because tsx would wrap a compiled function's inner functions in a
 * `__name` helper that does not exist in the page.
 */
const INJECT_REPLICA_CSP = `(function (csp) {
  var seen = new WeakSet();
  function protect(frame) {
    var doc = frame.contentDocument;
    if (!doc || seen.has(doc)) return;
    seen.add(doc);
    var meta = doc.createElement('meta');
    meta.httpEquiv = 'Content-Security-Policy';
    meta.content = csp;
    (doc.head || doc.documentElement || doc.appendChild(doc.createElement('html'))).appendChild(meta);
  }
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeName === 'IFRAME') protect(node);
        else if (node.querySelectorAll) node.querySelectorAll('iframe').forEach(protect);
      });
    });
  }).observe(document, { childList: true, subtree: true });
})`;

async function hostileRun(t: TestContext, source: Source, options: { injectCsp: boolean }): Promise<HostileRun> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const attacker = await startAttackerListener(t);
  const server = await withServer(t);
  const fixtureValues = { ATTACKER: attacker.origin, SERVER: server.url, SITE_KEY: '', SELF: '' };
  const fixture = await startFixtureSite(t, fixtureValues);
  const fixtureOrigin = fixture.origin;
  const demo = await server.store.findSiteByKey(server.demoSiteKey);
  assert.ok(demo);
  const site = await server.store.createSite({ tenantId: demo.tenantId, name: 'Hostile shop', allowedOrigins: [fixtureOrigin] });
  fixtureValues.SITE_KEY = site.siteKey;

  let code: string;
  let sessionId: string | null = null;
  let customer: CustomerPage | null = null;
  if (source === 'sdk') {
    customer = new CustomerPage(await (await browser.newContext()).newPage());
    await customer.open(`${fixtureOrigin}/hostile.html`);
    code = await customer.startSession();
  } else {
    const host = await openSocket(socketUrl(server), { origin: fixtureOrigin });
    t.after(() => host.close());
    host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: site.siteKey, page: { url: `${fixtureOrigin}/crafted`, title: 'Crafted' } });
    await host.next('welcome');
    host.send({ type: 'session_start' });
    const created = await host.next('session_created');
    code = String(created.code);
    sessionId = String(created.sessionId);
    host.sendRaw(encodeKeyframe(buildHostileEvents(`${fixtureOrigin}/crafted`, attacker.origin)));
  }

  const context = await browser.newContext({ userAgent: AGENT_UA });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  if (options.injectCsp) {
    const login = await context.request.post(`${server.url}/api/auth/login`, { headers: { 'x-samepage-csrf': '1' }, data: { email: server.admin.email, password: server.admin.password } });
    assert.equal(login.status(), 200);
    if (!sessionId) {
      const live = (await (await context.request.get(`${server.url}/api/sessions/live`)).json()) as { sessions: Array<{ id: string; siteId: string }> };
      sessionId = live.sessions.find((s) => s.siteId === site.id)?.id ?? null;
    }
    const res = await context.request.get(`${server.url}/api/sessions/${sessionId}/replica-csp`);
    assert.equal(res.status(), 200);
    const { csp } = (await res.json()) as { csp: string };
    await page.addInitScript({ content: `${INJECT_REPLICA_CSP}(${JSON.stringify(csp)});` });
  }
  const agent = new ConsolePage(page, server.url);
  if (options.injectCsp) {
    await page.goto(`${server.url}/console/`); // already logged in through the API above
    await page.getByLabel('Session code').waitFor();
  } else {
    await agent.login(server.admin.email, server.admin.password);
  }
  await agent.join(code);
  await agent.waitForReplicaText(source === 'sdk' ? 'Hostile fixture ready' : 'Crafted frame ready');
  if (customer) {
    await customer.page.evaluate(() => (window as unknown as { addLatePayloads(): void }).addLatePayloads());
    await agent.waitForReplicaText('Late payloads added');
  }
  await page.waitForTimeout(1000); // beacons, refreshes and handlers get their chance
  const replicaScripts = await page.evaluate(() => {
    const doc = (window as unknown as { __samepageReplica?: { document(): Document | null } }).__samepageReplica?.document();
    return doc ? doc.querySelectorAll('script').length : -1;
  });
  // Last, because following a link may navigate the replica away (the console CSP's frame-src blocks it).
  await followHostileLinks(page);
  await page.waitForTimeout(500);
  return { agent, server, dialogs, replicaScripts, agentHits: () => attacker.hits.filter((hit) => hit.userAgent === AGENT_UA), agentAllowedHits: () => fixture.hits.filter((hit) => hit.userAgent === AGENT_UA) };
}

/** As if the agent's browser clicked every javascript: link and submitted every form in the replica. */
async function followHostileLinks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const doc = (window as unknown as { __samepageReplica?: { document(): Document | null } }).__samepageReplica?.document();
    if (!doc) return;
    for (const a of Array.from(doc.querySelectorAll('a'))) if (/^\s*javascript:/i.test(a.getAttribute('href') ?? '') || a.hasAttribute('ping')) a.click();
    for (const button of Array.from(doc.querySelectorAll('button'))) button.click();
    for (const form of Array.from(doc.querySelectorAll('form'))) form.requestSubmit?.();
  });
}

/** `__pwned` in the console window and in every frame under it, read from the console and by Playwright. */
async function pwnedMarks(page: Page): Promise<string[]> {
  const marks = await page.evaluate(() => {
    const found: string[] = [];
    const queue: Array<[Window, string]> = [[window, 'console']];
    while (queue.length) {
      const [win, path] = queue.shift()!;
      try {
        const mark = (win as unknown as { __pwned?: unknown }).__pwned;
        if (mark !== undefined) found.push(`${path}: ${String(mark)}`);
        for (let i = 0; i < win.frames.length; i++) queue.push([win.frames[i] as Window, `${path}/${i}`]);
      } catch {
        // a cross-origin frame: the console cannot read it, and it cannot write the console's window
      }
    }
    return found;
  });
  for (const frame of page.frames()) {
    const mark = await frame.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned).catch(() => undefined);
    if (mark !== undefined) marks.push(`${frame.url()}: ${String(mark)}`);
  }
  return marks;
}

async function assertNothingRan(run: HostileRun): Promise<void> {
  assert.deepEqual(await pwnedMarks(run.agent.page), [], 'no payload set __pwned in the console or any of its frames');
  assert.deepEqual(run.dialogs, [], 'no payload opened a dialog');
  assert.deepEqual(run.agentHits().filter((hit) => hit.url.startsWith('/exec/')), [], 'no payload ran fetch()');
  assert.equal(run.replicaScripts, 0, 'the replica was shown, with no <script> element (rrweb rebuilds them as <noscript>)');
}

async function assertSecretsUnreadable(run: HostileRun): Promise<void> {
  const { page } = run.agent;
  const cookies = await page.context().cookies(run.server.url);
  const session = cookies.find((c) => c.name === 'sp_session');
  assert.ok(session, 'logged in');
  assert.equal(session.httpOnly, true, 'the login cookie is HttpOnly');
  assert.doesNotMatch(await page.evaluate(() => document.cookie), /sp_session/, 'page script cannot read the login cookie');
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  assert.doesNotMatch(storage, new RegExp(session.value.slice(0, 16)), 'the token is not in web storage');
  const sandboxes = await page.evaluate(() => Array.from(document.querySelectorAll('iframe')).map((f) => f.getAttribute('sandbox')));
  assert.ok(sandboxes.length > 0, 'the replica iframe is there');
  for (const sandbox of sandboxes) {
    assert.notEqual(sandbox, null, 'every iframe of the console is sandboxed');
    assert.ok(!String(sandbox).split(/\s+/).includes('allow-scripts'), `sandbox="${sandbox}" must not allow scripts`);
  }
}

for (const source of ['sdk', 'crafted'] as const) {
  const what = source === 'sdk' ? 'a hostile page streamed by the SDK' : 'crafted keyframes sent straight to the socket';

  test(`${what}: nothing runs in the console, and the agent’s cookie and token cannot be read`, async (t) => {
    const run = await hostileRun(t, source, { injectCsp: false });
    await t.test('no script, handler, javascript: or data: URL ran in the console', () => assertNothingRan(run));
    await t.test('the login cookie is HttpOnly and the replica iframe has no allow-scripts', () => assertSecretsUnreadable(run));
    await t.test('no request from the agent’s browser reached the attacker', () => {
      assert.deepEqual(run.agentHits().map((h) => h.url), []);
    });
  });

  test(`${what}: with the server’s replica CSP in the replica document, no request reaches the attacker`, async (t) => {
    const run = await hostileRun(t, source, { injectCsp: true });
    assert.deepEqual(run.agentHits().map((h) => h.url), [], 'requests from the agent’s browser to the attacker');
    await assertNothingRan(run);
    if (source === 'sdk') {
      // Positive control: the CSP blocks the attacker, not everything: the shop's own image still loads.
      assert.ok(run.agentAllowedHits().some((h) => h.url === '/allowed.gif'), 'the replica loaded an asset from the site’s allowed origin');
    }
  });
}

/**
 * The built SDK in a real browser against a stand-in relay: loader laziness, the only global,
 * session start, redacted frames, widget states, agent pointer, keyframe on demand, resume
 * after a page load, and Stop.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { bundleForPage, launchChromium } from './test-support/browser.ts';
import { startFakeRelay, type FakeRelay } from './test-support/fake-relay.ts';

const page = (withSdk: boolean) => `<!doctype html><html><head><title>Shop</title>
${withSdk ? '<script src="/sdk.js" data-site-key="site_test" data-widget data-presence="off" async></script>' : ''}
</head><body style="height:3000px">
  <h1>Checkout</h1>
  <input id="pw" type="password"><input id="card" autocomplete="cc-number">
  <p class="tenant-secret">tenant secret text</p>
</body></html>`;

describe('the SDK in a browser', () => {
  let browser: Browser;
  let relay: FakeRelay;
  let tab: Page;
  const frames = () => relay.frames;
  const keyframes = () => relay.frames.filter((f) => f.header.flags & 1);

  before(async () => {
    const [b, loader, capture, widget] = await Promise.all([
      launchChromium(),
      bundleForPage(`import './loader.ts';`),
      bundleForPage(`import './capture.ts';`),
      bundleForPage(`import './widget-bundle.ts';`),
    ]);
    browser = b;
    relay = await startFakeRelay({
      '/page.html': { type: 'text/html', body: page(true) },
      '/blank.html': { type: 'text/html', body: page(false) },
      '/sdk.js': { type: 'text/javascript', body: loader },
      '/sdk/capture.js': { type: 'text/javascript', body: capture },
      '/sdk/widget.js': { type: 'text/javascript', body: widget },
    });
    tab = await browser.newPage();
    await tab.addInitScript('window.__name = function (f) { return f; };');
  });
  after(async () => {
    await browser?.close();
    await relay?.close();
  });

  test('the loader adds only window.Samepage and loads nothing else until asked', async () => {
    await tab.goto(`${relay.origin}/blank.html`);
    const baseline = await tab.evaluate(() => Object.keys(window));
    await tab.goto(`${relay.origin}/page.html`);
    await tab.waitForFunction(() => 'Samepage' in window);
    const added = await tab.evaluate((base) => Object.keys(window).filter((k) => !base.includes(k)), baseline);
    assert.deepEqual(added, ['Samepage']);
    await tab.getByRole('button', { name: 'Get help' }).waitFor();
    assert.ok(!relay.requests.includes('/sdk/capture.js'));
    assert.equal(relay.messages.length, 0);
  });

  test('Get help starts a session, shows the code, and streams a redacted keyframe', async () => {
    await tab.getByRole('button', { name: 'Get help' }).click();
    await tab.getByText('123 456').waitFor();
    await tab.screenshot({ path: '/tmp/samepage-sdk-waiting.png' }).catch(() => undefined);
    assert.equal(await tab.evaluate(() => window.Samepage?.getState().state), 'waiting');
    const hello = relay.messages[0];
    assert.equal(hello?.type, 'host_hello');
    assert.ok(hello?.type === 'host_hello' && hello.v === 1 && hello.siteKey === 'site_test' && !hello.resume);
    assert.equal(relay.messages[1]?.type, 'session_start');
    const key = await relay.waitFor(() => keyframes()[0], 'a keyframe');
    assert.deepEqual({ epoch: key.header.epoch, seq: key.header.seq }, { epoch: 1, seq: 1 });
    assert.ok(key.json.includes('Checkout'));
    assert.ok(!key.json.includes('tenant secret text'), "the site's redact rule applies");
    assert.ok(!key.json.includes('Get help') && !key.json.includes('123 456'), 'the widget is blocked');
  });

  test('typing in a password field streams only the mask, in deltas of the epoch', async () => {
    await tab.locator('#pw').pressSequentially('hunter2');
    await tab.locator('#card').pressSequentially('4242');
    await relay.waitFor(() => frames().some((f) => f.json.includes('"source":5')), 'input deltas');
    const all = frames().map((f) => f.json).join('\n');
    assert.ok(!all.includes('hunter') && !all.includes('4242'));
    const seqs = frames().map((f) => f.header.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'seq +1 per frame');
    await tab.mouse.move(200, 150);
    await relay.waitFor(() => frames().some((f) => f.json.includes('"source":1,"positions"')), 'a pointer move at frame rate');
  });

  test('an agent joins: banner with Stop sharing, and their pointer is drawn', async () => {
    relay.send({ type: 'participant_joined', participant: { id: 'a1', name: 'Ann', role: 'agent', color: '#e11d48' } });
    await tab.getByText('Ann is viewing this tab').waitFor();
    await tab.getByRole('button', { name: 'Stop sharing' }).waitFor();
    assert.equal(await tab.evaluate(() => window.Samepage?.getState().state), 'active');
    relay.send({ type: 'agent_pointer', participantId: 'a1', x: 300, y: 400 });
    await tab.locator('.sp-pointer').getByText('Ann').waitFor();
    await tab.screenshot({ path: '/tmp/samepage-sdk-active.png' }).catch(() => undefined);
  });

  test('keyframe_needed makes a new keyframe in a new epoch', async () => {
    const before = keyframes().length;
    relay.send({ type: 'keyframe_needed', reason: 'late_join' });
    const key = await relay.waitFor(() => keyframes()[before], 'a second keyframe');
    assert.equal(key.header.epoch, 2);
  });

  test('a page load in the same tab resumes the session, with seq and epoch still increasing', async () => {
    const lastSeq = frames().at(-1)?.header.seq ?? 0;
    const before = relay.messages.length;
    await tab.reload();
    const hello = await relay.waitFor(() => relay.messages.slice(before).find((m) => m.type === 'host_hello'), 'the resume hello');
    assert.deepEqual(hello.type === 'host_hello' && hello.resume, { sessionId: 's1', token: 'tok1' });
    assert.ok(relay.messages.slice(before).some((m) => m.type === 'host_unload'), 'host_unload before the reload');
    const key = await relay.waitFor(() => keyframes().find((f) => f.header.seq > lastSeq), 'the resumed keyframe');
    assert.ok(key.header.epoch >= 3);
    assert.ok(!relay.messages.slice(before).some((m) => m.type === 'session_start'));
  });

  test('Stop ends the session, clears the tab, and shows a toast', async () => {
    relay.send({ type: 'participant_joined', participant: { id: 'a1', name: 'Ann', role: 'agent', color: '#e11d48' } });
    relay.send({ type: 'participant_joined', participant: { id: 'a2', name: 'Bob', role: 'agent', color: '#16a34a' } });
    await tab.getByText('Ann and Bob are viewing this tab').waitFor();
    await tab.getByRole('button', { name: 'Stop sharing' }).click();
    await relay.waitFor(() => relay.messages.some((m) => m.type === 'session_end'), 'session_end');
    await tab.getByText('Session ended').waitFor();
    assert.equal(await tab.evaluate(() => sessionStorage.getItem('samepage:session')), null);
    assert.equal(await tab.evaluate(() => window.Samepage?.getState().state), 'ended');
  });
});

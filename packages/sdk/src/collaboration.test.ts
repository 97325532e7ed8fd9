/**
 * Collaboration through the real bundles (loader, capture, collab) against the stand-in relay:
 * the consent prompt by keyboard, the SDK's own controller check, Esc x3, redacted fields,
 * chat resend after a reconnect, drawings, invites, and agent-initiated sessions.
 * Screenshots of each widget state go to /tmp/samepage-sdk-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { ClientMessage, ClientMessageOf, ControlAction } from '@samepage/protocol';
import { MAX_CHAT_TEXT as PROTOCOL_MAX_CHAT_TEXT } from '@samepage/protocol';
import { MAX_CHAT_TEXT } from './chat.ts';
import { bundleForPage, launchChromium } from './test-support/browser.ts';
import { startFakeRelay, type FakeRelay } from './test-support/fake-relay.ts';

const PAGE = (presence: boolean) => `<!doctype html><html><head><title>Checkout</title>
<script src="/sdk.js" data-site-key="site_test" data-widget ${presence ? '' : 'data-presence="off"'} async></script>
<style>body{font:16px system-ui;margin:40px;color:#0f172a}label{display:block;margin:12px 0 4px}input{padding:8px;width:280px}
.hero{height:220px;border-radius:12px;background:linear-gradient(135deg,#e0e7ff,#f0f9ff);display:flex;align-items:center;justify-content:center;font-size:28px}</style>
</head><body style="height:2400px">
  <div class="hero">Your cart</div>
  <form><label for="name">Name</label><input id="name" name="name"><label for="pw">Password</label><input id="pw" type="password"></form>
  <p style="margin-top:40px">Delivery in 2-3 days.</p>
</body></html>`;

const ANN = { id: 'a1', name: 'Ann', role: 'agent', color: '#e11d48', title: 'Senior agent' } as const;
const BOB = { id: 'a2', name: 'Bob', role: 'agent', color: '#16a34a' } as const;

describe('collaboration in the browser', () => {
  let browser: Browser;
  let relay: FakeRelay;
  let tab: Page;
  let actionId = 0;
  const sent = <T extends ClientMessage['type']>(type: T, from = 0) =>
    relay.messages.slice(from).filter((m): m is ClientMessageOf<T> => m.type === type);
  const shot = (name: string) => tab.screenshot({ path: `/tmp/samepage-sdk-${name}.png` }).catch(() => undefined);
  const act = async (participantId: string, action: ControlAction) => {
    const id = ++actionId;
    relay.send({ type: 'control_action', participantId, actionId: id, action });
    return relay.waitFor(() => sent('control_result').find((r) => r.actionId === id), `result of action ${id}`);
  };

  before(async () => {
    const [b, loader, capture, collab, widget] = await Promise.all([
      launchChromium(),
      bundleForPage(`import './loader.ts';`),
      bundleForPage(`import './capture.ts';`),
      bundleForPage(`import './collab.ts';`),
      bundleForPage(`import './widget-bundle.ts';`),
    ]);
    browser = b;
    relay = await startFakeRelay({
      '/page.html': { type: 'text/html', body: PAGE(false) },
      '/presence.html': { type: 'text/html', body: PAGE(true) },
      '/sdk.js': { type: 'text/javascript', body: loader },
      '/sdk/capture.js': { type: 'text/javascript', body: capture },
      '/sdk/collab.js': { type: 'text/javascript', body: collab },
      '/sdk/widget.js': { type: 'text/javascript', body: widget },
    });
    tab = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    await tab.addInitScript('window.__name = function (f) { return f; };');
  });
  after(async () => {
    await browser?.close();
    await relay?.close();
  });

  test('chat limits match the protocol', () => {
    assert.equal(MAX_CHAT_TEXT, PROTOCOL_MAX_CHAT_TEXT);
  });

  test('a session with an agent shows the policy and the agents', async () => {
    await tab.goto(`${relay.origin}/page.html`);
    await tab.getByRole('button', { name: 'Get help' }).click();
    await tab.getByText('123 456').waitFor();
    relay.send({ type: 'participant_joined', participant: ANN });
    relay.send({ type: 'participant_joined', participant: { id: 'g1', name: 'Cy', role: 'guest', color: '#7c3aed' } });
    await tab.getByText('Ann and Cy (guest) are viewing this tab').waitFor();
    await tab.getByText('This session is recorded').waitFor();
    const state = await tab.evaluate(() => window.Samepage?.getState());
    assert.deepEqual(state?.participants.map((p) => p.id), ['a1', 'g1']);
    assert.equal(state?.policy?.company, 'Acme');
    await relay.waitFor(() => sent('host_visibility').length > 0, 'host_visibility');
    assert.deepEqual(sent('host_visibility')[0], { type: 'host_visibility', visible: true, idle: false, ui: ['code'] }); // ui: what the widget shows, for the console
    await relay.waitFor(() => relay.requests.includes('/sdk/collab.js'), 'collab.js loaded');
  });

  test('the consent dialog is keyboard operable: Esc denies, Tab + Enter allows, focus returns', async () => {
    await tab.locator('#name').focus();
    relay.send({ type: 'control_requested', participantId: 'a1', name: 'Ann' });
    const dialog = tab.getByRole('dialog', { name: 'Ann wants to control this tab' });
    await dialog.waitFor();
    assert.equal(await dialog.getAttribute('aria-modal'), 'true');
    assert.equal(await tab.evaluate(() => document.querySelector('samepage-widget')?.shadowRoot?.activeElement?.textContent), 'Deny');
    await tab.keyboard.press('Escape');
    await relay.waitFor(() => sent('control_deny').length === 1, 'control_deny');
    assert.equal(await dialog.count(), 0);
    assert.equal(await tab.evaluate(() => document.activeElement?.id), 'name', 'focus went back to the page');

    relay.send({ type: 'control_requested', participantId: 'a1', name: 'Ann' });
    await dialog.waitFor();
    await shot('consent');
    await tab.keyboard.press('Tab');
    assert.equal(await tab.evaluate(() => document.querySelector('samepage-widget')?.shadowRoot?.activeElement?.textContent), 'Allow');
    await tab.keyboard.press('Tab');
    assert.equal(await tab.evaluate(() => document.querySelector('samepage-widget')?.shadowRoot?.activeElement?.textContent), 'Deny', 'focus stays in the dialog');
    await tab.keyboard.press('Shift+Tab');
    await tab.keyboard.press('Enter');
    const grant = await relay.waitFor(() => sent('control_grant')[0], 'control_grant');
    assert.equal(grant.participantId, 'a1');
  });

  test('while Ann controls: banner, her actions run, others are refused, redacted fields stay private', async () => {
    relay.send({ type: 'control_state', controllerId: 'a1', pending: [], reason: 'granted' });
    await tab.getByText('Ann is controlling this tab').waitFor();
    await tab.getByRole('button', { name: 'Take back control' }).waitFor();
    const box = await tab.locator('#name').boundingBox();
    assert.ok(box);
    const at = { id: null, x: box.x + 10, y: box.y + 10 };
    assert.equal((await act('a1', { kind: 'type', target: at, text: 'Ann typed' })).ok, true);
    assert.equal(await tab.inputValue('#name'), 'Ann typed');
    const refused = await act('a2', { kind: 'type', target: at, text: ' by Bob' });
    assert.equal(refused.failure, 'not_controller');
    assert.equal(await tab.inputValue('#name'), 'Ann typed', 'the SDK checks the controller itself');
    const pw = await tab.locator('#pw').boundingBox();
    assert.ok(pw);
    const secret = await act('a1', { kind: 'type', target: { id: null, x: pw.x + 5, y: pw.y + 5 }, text: 'hunter2' });
    assert.equal(secret.failure, 'redacted_field');
    assert.equal(await tab.inputValue('#pw'), '');
    const nav = await act('a1', { kind: 'navigate', to: 'url', url: 'https://evil.test/' });
    assert.equal(nav.failure, 'origin_not_allowed');
    relay.send({ type: 'agent_pointer', participantId: 'a1', x: 420, y: 150 });
    await tab.locator('.sp-pointer').getByText('Ann').waitFor();
    await shot('controlling');
  });

  test('Escape three times takes control back at once; later actions are refused', async () => {
    const before = relay.messages.length;
    for (let i = 0; i < 3; i++) await tab.keyboard.press('Escape');
    await relay.waitFor(() => sent('control_revoke', before).length === 1, 'control_revoke');
    await tab.getByText('Ann and Cy (guest) are viewing this tab').waitFor();
    const box = await tab.locator('#name').boundingBox();
    assert.ok(box);
    const late = await act('a1', { kind: 'type', target: { id: null, x: box.x + 10, y: box.y + 10 }, text: 'late' });
    assert.equal(late.failure, 'not_controller');
    assert.equal(await tab.inputValue('#name'), 'Ann typed');
    relay.send({ type: 'control_state', controllerId: null, pending: [], reason: 'revoked' });
  });

  test('chat: the panel sends and shows messages; a resend after a reconnect is not doubled and order is kept', async () => {
    await tab.getByRole('button', { name: 'Chat' }).click();
    const box = tab.getByRole('textbox', { name: 'Message' });
    await box.fill('Hi, I cannot find the coupon field');
    await box.press('Enter');
    await tab.getByText('Hi, I cannot find the coupon field').waitFor();
    relay.send({ type: 'chat_message', message: { seq: 2, id: 'm2', clientId: 'ann-1', from: { participantId: 'a1', name: 'Ann', role: 'agent' }, text: 'It is just below your cart, let me show you.', at: Date.now() } });
    relay.send({ type: 'chat_typing', participantId: 'a1', typing: true });
    await tab.getByText('Ann is typing…').waitFor();
    relay.send({ type: 'draw', participantId: 'a1', color: '#e11d48', op: { kind: 'rect', id: 'r1', color: '#e11d48', x: 30, y: 30, width: 420, height: 240 } });
    relay.send({ type: 'draw', participantId: 'a1', color: '#e11d48', op: { kind: 'stroke', id: 's1', color: '#2563eb', points: [[60, 330], [120, 318], [200, 330], [280, 322]] } });
    await tab.locator('samepage-widget').evaluate((h) => new Promise((r) => requestAnimationFrame(() => r(h))));
    await shot('chat-and-drawings');

    relay.loseNextChatAck();
    const first = tab.evaluate(() => window.Samepage!.chat.send('first, ack lost'));
    await relay.waitFor(() => relay.chat.length === 3, 'stored without ack');
    relay.dropHost();
    const second = tab.evaluate(() => window.Samepage!.chat.send('second, while offline'));
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual([a.seq, b.seq], [3, 4]);
    assert.deepEqual(relay.chat.map((m) => m.seq), [1, 2, 3, 4], 'stored once each');
    const list = await tab.evaluate(() => window.Samepage!.chat.messages().map((m) => `${m.seq}:${m.text}`));
    assert.deepEqual(list, ['1:Hi, I cannot find the coupon field', '2:It is just below your cart, let me show you.', '3:first, ack lost', '4:second, while offline']);
    assert.ok(sent('chat_sync').length >= 2, 'chat_sync after each connect');
  });

  test('drawings follow the page when it scrolls, and clear removes them', async () => {
    const y0 = await tab.locator('samepage-widget').evaluate((h) => h.shadowRoot!.querySelector('.sp-drawing rect')!.getBoundingClientRect().top);
    await tab.evaluate(() => window.scrollTo(0, 100));
    await tab.waitForFunction((y) => {
      const r = document.querySelector('samepage-widget')!.shadowRoot!.querySelector('.sp-drawing rect')!;
      return Math.round(r.getBoundingClientRect().top) === Math.round(y - 100);
    }, y0);
    relay.send({ type: 'draw', participantId: 'a1', color: '#e11d48', op: { kind: 'clear' } });
    await tab.waitForFunction(() => !document.querySelector('samepage-widget')!.shadowRoot!.querySelector('.sp-drawing rect'));
    await tab.evaluate(() => window.scrollTo(0, 0));
  });

  test('Invite a friend shows a link to copy', async () => {
    await tab.getByRole('button', { name: 'Close chat' }).click();
    await tab.getByRole('button', { name: 'Invite a friend' }).click();
    await tab.getByRole('textbox', { name: 'Invitation link' }).waitFor();
    assert.equal(await tab.getByRole('textbox', { name: 'Invitation link' }).inputValue(), 'http://127.0.0.1/console/watch/guest-token-1');
    await shot('invite');
    await tab.getByRole('button', { name: 'Close' }).click();
    await tab.getByRole('button', { name: 'Stop sharing' }).click();
    await tab.getByText('Session ended').waitFor();
  });

  test('agent-initiated: presence hello, the request prompt, and Accept starts a session with the requestId', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    await page.addInitScript('window.__name = function (f) { return f; };');
    // identify() on an earlier page of this tab: kept in sessionStorage, sent in the hello.
    await page.addInitScript(`sessionStorage.setItem('samepage:identity', '{"id":"u42","name":"Dana"}')`);
    const from = relay.messages.length;
    await page.goto(`${relay.origin}/presence.html`);
    const hello = await relay.waitFor(() => sent('visitor_hello', from)[0], 'visitor_hello');
    assert.equal(hello.siteKey, 'site_test');
    assert.deepEqual(hello.identity, { id: 'u42', name: 'Dana' });
    await new Promise((r) => setTimeout(r, 200)); // the relay's welcome
    await page.evaluate(() => window.Samepage!.identify({ id: 'u42', name: 'Dana', email: 'dana@example.com' }));
    const update = await relay.waitFor(() => sent('visitor_update', from)[0], 'visitor_update');
    assert.deepEqual(update.identity, { id: 'u42', name: 'Dana', email: 'dana@example.com' });
    relay.sendPresence({ type: 'cobrowse_requested', requestId: 'req1', agentName: 'Bob', company: 'Acme' });
    const dialog = page.getByRole('dialog', { name: 'Bob from Acme would like to see this tab' });
    await dialog.waitFor();
    await page.screenshot({ path: '/tmp/samepage-sdk-cobrowse.png' });
    await dialog.getByRole('button', { name: 'Accept' }).click();
    const answer = await relay.waitFor(() => sent('cobrowse_answer', from)[0], 'cobrowse_answer');
    assert.deepEqual(answer, { type: 'cobrowse_answer', requestId: 'req1', accepted: true });
    const start = await relay.waitFor(() => sent('session_start', from)[0], 'session_start');
    assert.equal(start.requestId, 'req1');
    const hostHello = sent('host_hello', from)[0];
    assert.deepEqual(hostHello?.visitor, { id: 'u42', name: 'Dana', email: 'dana@example.com' });
    await page.getByText('Connecting you with Bob…').waitFor();
    relay.send({ type: 'participant_joined', participant: BOB });
    await page.getByText('Bob is viewing this tab').waitFor();
    await page.close();
  });
});

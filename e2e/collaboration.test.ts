/**
 * Agent-initiated sessions and chat, end to end (issue 3). Remote control is in control.test.ts,
 * presence and drawing in presence.test.ts, invites and ten agents in multiparty.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { createUser, cuttableConnection, eventually, openConsole, openCustomer, sleep, startAndJoin, withBrowser } from './support/collab.ts';
import { startFixtureSite } from './support/fixture-site.ts';
import { withServer } from './support/server.ts';

type Identity = { id: string; name: string; email: string };

async function identify(page: Page, identity: Identity): Promise<void> {
  await page.evaluate((who) => (window as unknown as { Samepage: { identify(i: Identity): void } }).Samepage.identify(who), identity);
}

test('agent-initiated: an identified visitor is listed; the customer accepts "<agent> from <company> would like to see this tab" and the agent is in; a decline shows "The visitor declined"', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const sam = await openConsole(browser, server, await createUser(server, 'senior_agent', 'Sam Rivera'));
  const jo = await openConsole(browser, server, await createUser(server, 'agent', 'Jo Park'));

  const maria = await openCustomer(browser);
  await maria.open(fixtures.url('/control.html'));
  await identify(maria.page, { id: 'cust-42', name: 'Maria Lopez', email: 'maria@example.com' });
  const lee = await openCustomer(browser);
  await lee.open(fixtures.url('/control.html'));
  await identify(lee.page, { id: 'cust-43', name: 'Lee Park', email: 'lee@example.com' });

  // Accept.
  const visitors = sam.page.getByRole('region', { name: 'Live visitors' });
  await visitors.getByText('maria@example.com').waitFor({ timeout: 10_000 });
  await sam.button('Request co-browse with Maria Lopez').click();
  const prompt = maria.page.getByRole('dialog', { name: 'Sam Rivera from Demo Company would like to see this tab' });
  await prompt.waitFor({ timeout: 5_000 });
  await prompt.getByRole('button', { name: 'Accept', exact: true }).click();
  await sam.waitForReplicaText('Control fixture');
  await maria.banner().getByText('Sam Rivera is viewing this tab').waitFor({ timeout: 5_000 });
  await sam.participants().filter({ hasText: 'Maria Lopez' }).waitFor();

  // Decline.
  await jo.button('Request co-browse with Lee Park').click();
  const leePrompt = lee.page.getByRole('dialog', { name: 'Jo Park from Demo Company would like to see this tab' });
  await leePrompt.waitFor({ timeout: 5_000 });
  await leePrompt.getByRole('button', { name: 'Decline', exact: true }).click();
  await jo.page.getByRole('alert').getByText('The visitor declined').waitFor({ timeout: 5_000 });
  assert.equal(await lee.banner().count(), 0, 'no session on the tab that declined');
  assert.match(jo.page.url(), /\/console\/?$/, 'the agent stays on the home screen');
});

test('chat: messages both ways in order with a typing indicator; stored with the session and shown on the past session page with a note', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const customer = await openCustomer(browser);
  const sam = await openConsole(browser, server, await createUser(server, 'senior_agent', 'Sam Rivera'));
  await startAndJoin(customer, sam, fixtures.url('/control.html'), 'Control fixture');
  const widget = customer.widget();

  // Agent → customer, with the unread count on the banner's Chat button.
  await sam.sendChat('Hello, I am Sam.');
  await customer.banner().getByRole('button', { name: 'Chat, 1 new' }).waitFor({ timeout: 5_000 });

  // The customer types: the agent sees it; then sends.
  await customer.banner().getByRole('button', { name: /^Chat/ }).click();
  await widget.getByRole('log', { name: 'Messages' }).getByText('Hello, I am Sam.').waitFor();
  await widget.getByRole('textbox', { name: 'Message' }).pressSequentially('Hi Sam');
  await sam.page.getByTestId('chat-typing').getByText('Customer is typing…').waitFor({ timeout: 5_000 });
  await widget.getByRole('button', { name: 'Send', exact: true }).click();
  await sam.chatMessages().filter({ hasText: 'Hi Sam' }).waitFor({ timeout: 5_000 });
  await eventually(() => sam.page.getByTestId('chat-typing').textContent(), '', 'the typing indicator goes away after sending');

  // The agent types: the customer sees it.
  await sam.page.getByRole('textbox', { name: 'Message' }).pressSequentially('Let me look');
  await widget.getByText('Sam Rivera is typing…').waitFor({ timeout: 5_000 });
  await sam.page.getByRole('button', { name: 'Send', exact: true }).click();

  // A quick exchange: everyone has the same order.
  await customer.sendChat('One');
  await sam.sendChat('Two');
  await customer.sendChat('Three');
  const expected = ['Hello, I am Sam.', 'Hi Sam', 'Let me look', 'One', 'Two', 'Three'];
  await eventually(() => sam.chatMessages().locator('.chat-text').allTextContents(), expected, 'the agent’s chat, in order');
  await eventually(() => widget.locator('.sp-log .sp-bubble').allTextContents(), expected, 'the customer’s chat, in order');

  // A note, then the customer ends the session; the past session page has both.
  await sam.page.locator('summary', { hasText: 'Notes' }).click();
  await sam.page.getByLabel('Add a note').fill('Helped with the size; follow up tomorrow.');
  await sam.button('Save note').click();
  await sam.page.getByText('Note saved.').waitFor({ timeout: 5_000 });
  await customer.stop();
  await sam.page.getByText('The customer ended the session').waitFor({ timeout: 5_000 });
  await sam.button(/Back to sessions/).click();
  const past = sam.page.getByRole('region', { name: 'Past sessions' });
  await past.getByRole('link', { name: /^Fixture shop/ }).click();
  const transcript = sam.page.getByRole('region', { name: 'Chat transcript' });
  await eventually(() => transcript.locator('.chat-text').allTextContents(), expected, 'the stored transcript, in order');
  await sam.page.getByText('Helped with the size; follow up tomorrow.').waitFor();
});

test('chat: the SDK API works without the widget, and no message is lost when the customer’s connection drops and comes back', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const customer = await openCustomer(browser);
  const sam = await openConsole(browser, server, await createUser(server, 'senior_agent', 'Sam Rivera'));
  const page = customer.page;
  const connection = await cuttableConnection(page);
  await startAndJoin(customer, sam, fixtures.url('/api-chat.html'), 'Our own chat');
  const api = `(window.Samepage)`;
  assert.equal(await customer.widget().getByRole('region', { name: 'Samepage session' }).count(), 0, 'no widget on this page');

  const stored = await page.evaluate(`${api}.chat.send('Sent through the API').then((m) => ({ seq: m.seq, text: m.text, from: m.from.role }))`);
  assert.deepEqual(stored, { seq: 1, text: 'Sent through the API', from: 'host' });
  await sam.chatMessages().filter({ hasText: 'Sent through the API' }).waitFor({ timeout: 5_000 });
  await sam.sendChat('Answer from the console');
  await page.locator('#site-chat li', { hasText: 'Sam Rivera: Answer from the console' }).waitFor({ timeout: 5_000 });

  // The connection drops while both sides write.
  await connection.cut();
  await sam.hostState().getByText('Reconnecting').waitFor({ timeout: 5_000 });
  await page.evaluate(`void ${api}.chat.send('Written while offline').catch(() => undefined)`); // resolves only once stored
  await sam.sendChat('Sent while the customer was away');
  await sleep(1_500);
  const pendingWhileOffline = await page.evaluate(`${api}.chat.pending().length`);
  await connection.restore();

  const expected = ['Sent through the API', 'Answer from the console', 'Written while offline', 'Sent while the customer was away'].sort();
  await eventually(async () => (await sam.chatMessages().locator('.chat-text').allTextContents()).sort(), expected, 'the agent has every message once', 15_000);
  await eventually(async () => (await page.locator('#site-chat li').allTextContents()).map((s) => s.replace(/^[^:]+: /, '')).sort(), expected, 'the site’s own chat UI has every message once', 15_000);
  assert.equal(await page.evaluate(`${api}.chat.messages().length`), 4);
  t.diagnostic(`while offline the SDK held ${String(pendingWhileOffline)} unsent message(s)`);
});

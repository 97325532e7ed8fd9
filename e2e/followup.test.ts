/**
 * Async follow-up (issue 7): with no agent online the widget offers "Leave a message"; the
 * customer leaves one with a snapshot of the page (a password typed there never reaches the
 * server); an agent finds it in the inbox, opens the snapshot replica, replies and adds a note;
 * on the customer's next visit (same identified visitor) the widget shows the reply and the
 * customer starts a live session from it, which the agent joins from the message. Then the agent
 * shares the session with a colleague, who picks it up later through the link.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { ConsolePage, waitForConsoleExpression } from './support/console-page.ts';
import { createUser, openConsole, openCustomer, withBrowser } from './support/collab.ts';
import { withServer } from './support/server.ts';

const SECRET = 'Hunter2-never-leaves';
const IDENTITY = { id: 'cust-42', name: 'Maria Lopez', email: 'maria@example.test' };

/** What a site does on every page: identify the signed-in customer as soon as the SDK is there. */
const identifyOnLoad = `(() => {
  const identity = ${JSON.stringify(IDENTITY)};
  Object.defineProperty(window, 'Samepage', {
    configurable: true,
    get() { return undefined; },
    set(api) {
      Object.defineProperty(window, 'Samepage', { value: api, writable: true, configurable: true });
      api.identify(identity);
    },
  });
})();`;

/** The snapshot replica's page: heading, the password field's value, and whether the secret is anywhere in it. */
const readSnapshot = (page: Page) =>
  page.evaluate(`(() => {
    const doc = window.__samepageSnapshot && window.__samepageSnapshot.document();
    if (!doc || !doc.body) return null;
    const password = doc.querySelector('#login-password');
    return {
      heading: (doc.querySelector('h1') || {}).textContent || null,
      password: password ? password.value : null,
      leaks: doc.documentElement.outerHTML.includes(${JSON.stringify(SECRET)}),
    };
  })()`) as Promise<{ heading: string | null; password: string | null; leaks: boolean } | null>;

test('no agent online: leave a message with a snapshot, the agent replies from the inbox, the customer sees it next visit and starts a live session; a share link is picked up by a colleague', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const customer = await openCustomer(browser);
  await customer.page.context().addInitScript(identifyOnLoad);
  // Every byte the customer's browser sends to the follow-up endpoints.
  const sent: string[] = [];
  customer.page.context().on('request', (request) => {
    if (request.url().includes('/followup/')) sent.push(request.postData() ?? '');
  });

  // 1. Nobody is online: the widget offers "Leave a message" (above "Get help", which stays for a customer on the phone).
  await customer.open(`${server.url}/login.html`);
  const widget = customer.page.locator('samepage-widget');
  const leave = widget.getByRole('button', { name: 'Leave a message' });
  await leave.waitFor({ timeout: 15_000 });
  await widget.getByRole('button', { name: 'Get help' }).waitFor();
  assert.equal(await customer.page.evaluate('window.Samepage.agentsOnline()'), false);

  // 2. The customer typed a password on the page, then leaves a message with a snapshot.
  await customer.page.locator('#login-email').fill('maria@example.test');
  await customer.page.locator('#login-password').fill(SECRET);
  await leave.click();
  const form = widget.getByRole('dialog', { name: 'Leave us a message' });
  assert.equal(await widget.getByRole('button', { name: 'Get help' }).isVisible(), false, 'the form has the corner to itself');
  await form.getByLabel('Your message').fill('I cannot sign in, can you help?');
  assert.equal(await form.getByLabel('Your name (optional)').inputValue(), IDENTITY.name, 'prefilled from identify()');
  await form.getByLabel('Attach a snapshot of this page').check();
  await form.getByRole('button', { name: 'Send' }).click();
  await widget.getByText('Thank you! We will reply here on your next visit.').waitFor({ timeout: 15_000 });

  // What left the tab: a snapshot of the sign-in page, without the password.
  const posted = sent.map((body) => JSON.parse(body) as { text?: string; snapshot?: string }).find((b) => b.text);
  assert.ok(posted?.snapshot, 'a snapshot was sent');
  const snapshotJson = gunzipSync(Buffer.from(posted.snapshot, 'base64')).toString('utf8');
  assert.ok(snapshotJson.includes('Welcome back. Sign in to see your orders.'), 'the snapshot holds the page');
  assert.ok(!sent.some((body) => body.includes(SECRET)) && !snapshotJson.includes(SECRET), 'the password never left the tab');
  const stored = await server.store.db.selectFrom('followup_snapshots').select('bytes').execute();
  assert.equal(stored.length, 1);
  assert.ok(!gunzipSync(Buffer.from(stored[0]!.bytes)).toString('utf8').includes(SECRET), 'nor is it stored');
  await customer.page.close();

  // 3. An agent signs in: the inbox has one unread message.
  const ann = await openConsole(browser, server, await createUser(server, 'agent', 'Ann Agent'));
  const nav = ann.page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Inbox, 1 unread' }).click();
  await ann.page.getByRole('heading', { name: '1 unread' }).waitFor();
  await ann.page.getByRole('link', { name: /^Message from Maria Lopez/ }).click();
  await ann.page.getByRole('heading', { name: 'Message from Maria Lopez' }).waitFor();
  await ann.page.getByTestId('thread').getByText('I cannot sign in, can you help?').waitFor();

  // The snapshot replica: the page as the customer saw it, the password masked.
  await waitForConsoleExpression(ann.page, '!!(window.__samepageSnapshot && window.__samepageSnapshot.document() && window.__samepageSnapshot.document().querySelector("h1"))', 'the follow-up snapshot');
  const replica = await readSnapshot(ann.page);
  assert.equal(replica?.heading, 'Sign in');
  assert.notEqual(replica?.password, SECRET);
  assert.equal(replica?.leaks, false);

  // Reply and note.
  await ann.page.getByLabel('Your reply').fill('Hi Maria, I reset your account. Start a live session and I will walk you through it.');
  await ann.page.getByRole('button', { name: 'Send reply' }).click();
  await ann.page.getByText('Reply sent.').waitFor();
  await ann.page.getByLabel('Add a note').fill('Account was locked after 5 failed logins.');
  await ann.page.getByRole('button', { name: 'Save note' }).click();
  await ann.page.getByTestId('message-notes').getByText('Account was locked after 5 failed logins.').waitFor();

  // 4. The customer's next visit (a new tab, same identified visitor): the reply is there.
  const visit = await customer.page.context().newPage();
  await visit.goto(`${server.url}/index.html`);
  const again = visit.locator('samepage-widget');
  const reply = again.getByRole('region', { name: 'Reply from Ann Agent' });
  await reply.waitFor({ timeout: 15_000 });
  await reply.getByText('Hi Maria, I reset your account.', { exact: false }).waitFor();
  assert.equal(await reply.getByText('Account was locked').count(), 0, 'notes never reach the customer');

  // 5. The customer starts a live session from it; the agent joins from the message.
  await reply.getByRole('button', { name: 'Start a live session' }).click();
  await again.getByText('Your code').waitFor({ timeout: 10_000 });
  await ann.page.reload();
  await ann.page.getByRole('heading', { name: 'The visitor started a live session' }).waitFor({ timeout: 10_000 });
  await ann.page.getByRole('button', { name: 'Join the session' }).click();
  await ann.waitForReplicaText('Northwind', { timeout: 15_000 });
  await again.getByText(/Ann Agent is viewing this tab/).waitFor({ timeout: 10_000 });

  // 6. Ann shares the session with Bob, who picks it up later through the link.
  await createUser(server, 'agent', 'Bob Builder');
  await ann.page.locator('summary', { hasText: 'Notes' }).click();
  await ann.page.getByRole('button', { name: 'Share with a colleague' }).click();
  await ann.page.getByLabel('Colleague', { exact: true }).selectOption({ label: 'Bob Builder' });
  await ann.page.getByLabel('Note for them (optional)').fill('Maria may call back about her account.');
  await ann.page.getByRole('button', { name: 'Create link' }).click();
  const link = await ann.page.getByTestId('share-url').inputValue();
  assert.match(link, new RegExp(`^${server.url}/console/shared/sh_`));

  const bobUser = (await server.store.db.selectFrom('users').select('email').where('name', '=', 'Bob Builder').executeTakeFirst())!;
  const bob = new ConsolePage(await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage(), server.url);
  await bob.page.goto(link); // not signed in yet: the link survives the sign-in
  await bob.page.getByLabel('Email').fill(bobUser.email);
  await bob.page.getByLabel('Password').fill('correct horse battery');
  await bob.page.getByRole('button', { name: 'Sign in' }).click();
  await bob.page.getByRole('heading', { name: 'Ann Agent shared this with you' }).waitFor({ timeout: 10_000 });
  await bob.page.getByTestId('share-note').getByText('Maria may call back about her account.').waitFor();
  await bob.page.getByRole('region', { name: 'Chat transcript' }).waitFor();
  const shares = await server.store.db.selectFrom('shares').select(['picked_up_by', 'to_user_id']).execute();
  assert.equal(shares.length, 1);
  assert.equal(shares[0]!.picked_up_by, shares[0]!.to_user_id, 'Bob picked it up');
  assert.equal(await bob.page.getByRole('link', { name: 'Inbox' }).count(), 1);
});

/**
 * Recordings (issue 7): a session on a site whose policy records it is replayed in the console,
 * and the replayed page at the end is what the agent saw live (heading, masked values, allowed
 * typed text), with the chat marked on the timeline.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { createUser, eventually, openConsole, openCustomer, startAndJoin, withBrowser } from './support/collab.ts';
import { withServer } from './support/server.ts';

type RecordingWindow = Window & { __samepageRecording?: { document(): Document | null; position(): number; duration: number } };

/** What a replica document shows: the heading, the fields' values, and whether the redacted loyalty number is there. */
function readPage(doc: Document | null | undefined) {
  // No inner named functions: the source runs in the page, where tsx's __name helper does not exist.
  return {
    heading: doc?.querySelector('h1')?.textContent?.trim() ?? null,
    name: (doc?.querySelector('#name') as HTMLInputElement | null)?.value ?? null,
    gift: (doc?.querySelector('#gift-message') as HTMLTextAreaElement | null)?.value ?? null,
    marker: doc?.querySelector('#recording-marker')?.textContent ?? null,
    leaksLoyalty: (doc?.documentElement?.outerHTML ?? '').includes('NW-7731-5520-0946'),
  };
}

const replayed = (page: Page) => page.evaluate(`(${readPage.toString()})(window.__samepageRecording?.document())`) as Promise<ReturnType<typeof readPage>>;
const live = (page: Page) => page.evaluate(`(${readPage.toString()})(window.__samepageReplica?.document())`) as Promise<ReturnType<typeof readPage>>;

test('recordings: the customer is told; an admin replays the session and the replayed DOM matches what the agent saw live, with chat markers', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const site = (await server.store.findSiteByKey(server.demoSiteKey))!;
  await server.store.updateSite(site.tenantId, site.id, { policy: { ...site.policy, recordSessions: true } });

  const customer = await openCustomer(browser);
  const sam = await openConsole(browser, server, await createUser(server, 'senior_agent', 'Sam Rivera'));
  await startAndJoin(customer, sam, `${server.url}/checkout.html`, 'Checkout');
  await customer.banner().getByText('This session is recorded').waitFor({ timeout: 5_000 });

  // The customer types (a masked field and an allowed one); both sides chat.
  await customer.page.locator('#name').pressSequentially('Maria Lopez');
  await customer.page.locator('#gift-message').pressSequentially('Happy birthday, Ana!');
  await sam.waitForReplicaValue('#gift-message', 'Happy birthday, Ana!');
  await customer.sendChat('Hello, is the gift message visible?');
  await sam.chatMessages().filter({ hasText: 'Hello, is the gift message visible?' }).waitFor({ timeout: 5_000 });
  await sam.sendChat('Yes, I can see it.');
  await customer.widget().getByText('Yes, I can see it.').waitFor({ timeout: 5_000 });
  await customer.page.evaluate(() => {
    const p = document.createElement('p');
    p.id = 'recording-marker';
    p.textContent = 'All done';
    document.querySelector('main')?.append(p);
  });
  await sam.waitForReplicaText('All done');

  // What the agent saw live, just before the end.
  const seen = await live(sam.page);
  assert.equal(seen.heading, 'Checkout');
  assert.equal(seen.gift, 'Happy birthday, Ana!');
  assert.notEqual(seen.name, 'Maria Lopez', 'the name field is masked live');
  assert.equal(seen.leaksLoyalty, false);
  await customer.stop();
  await sam.page.getByText('The customer ended the session').waitFor({ timeout: 5_000 });

  // An admin opens the recording from the home page list.
  const admin = await openConsole(browser, server, { email: server.admin.email, password: server.admin.password, name: 'Admin', role: 'admin' });
  const recordings = admin.page.getByRole('region', { name: 'Recordings' });
  await recordings.getByRole('link', { name: /^Recording of Demo/ }).first().click();
  const position = admin.page.getByRole('slider', { name: 'Position' });
  await position.waitFor({ timeout: 10_000 });
  await admin.page.getByRole('button', { name: 'Play' }).waitFor();
  await admin.page.getByLabel('Speed').selectOption('4');

  // Chat markers exist and seek.
  const markers = admin.page.getByRole('group', { name: 'Events' });
  await markers.getByRole('button', { name: /^Chat \d\d:\d\d: Hello, is the gift message visible\?$/ }).waitFor();
  await markers.getByRole('button', { name: /^Chat \d\d:\d\d: Yes, I can see it\.$/ }).click();
  await admin.page.getByRole('region', { name: 'Chat transcript' }).getByText('Yes, I can see it.').waitFor();

  // Seek to the end: the replayed page is what the agent saw live.
  const duration = await admin.page.evaluate(() => (window as RecordingWindow).__samepageRecording?.duration ?? 0);
  assert.ok(duration > 0, 'the recording has a length');
  await position.focus();
  await position.press('End');
  await eventually(() => replayed(admin.page), seen, 'the replayed DOM at the end matches the live replica', 10_000);

  // Play from the start runs and the position advances.
  await position.press('Home');
  await admin.page.getByLabel('Speed').selectOption('0.5'); // the recording is short: slow enough to pause it
  await admin.page.getByRole('button', { name: 'Play' }).click();
  await admin.page.getByRole('button', { name: 'Pause' }).waitFor();
  await admin.page.waitForFunction(() => ((window as RecordingWindow).__samepageRecording?.position() ?? 0) > 0, null, { timeout: 5_000 });
  await admin.page.getByRole('button', { name: 'Pause' }).click();
  await admin.page.getByRole('button', { name: 'Play' }).waitFor();

  // Viewing is audited; an agent without recordings.view sees no Recordings list.
  const audit = await server.adminStore.queryAudit(site.tenantId, { action: 'recording.view', limit: 10 });
  assert.ok(audit.length >= 2);
  await sam.page.goto(`${server.url}/console`);
  await sam.page.getByRole('region', { name: 'Past sessions' }).waitFor();
  assert.equal(await sam.page.getByRole('region', { name: 'Recordings' }).count(), 0);
});

/**
 * Multi-party sessions, end to end (issue 3): a colleague joins through an invite link, a
 * supervisor joins from "Live sessions", a friend watches view-only when the site allows it,
 * and ten agents share one session.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsolePage } from './support/console-page.ts';
import { createUser, eventually, openConsole, openCustomer, sleep, startAndJoin, withBrowser } from './support/collab.ts';
import { startFixtureSite } from './support/fixture-site.ts';
import { socketUrl, withServer } from './support/server.ts';
import { openSocket, type RawSocket } from './support/socket-client.ts';

/** Presses "Invite a colleague" and returns the new code (a fresh one on every press). */
async function inviteColleague(agent: ConsolePage, previous: string | null = null): Promise<{ code: string; link: string }> {
  await agent.button('Invite a colleague').click();
  const shown = agent.page.getByTestId('invite-code');
  let code = '';
  await eventually(async () => {
    code = /\d{6}/.exec((await shown.textContent().catch(() => '')) ?? '')?.[0] ?? '';
    return code !== '' && code !== previous;
  }, true, 'a new invite code is shown');
  return { code, link: await agent.page.getByRole('textbox', { name: 'Invite link' }).inputValue() };
}

test('invites: a colleague joins with the invite link, a supervisor joins from Live sessions, and the customer sees them all; agents see each other’s pointers', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const customer = await openCustomer(browser);
  const sam = await openConsole(browser, server, await createUser(server, 'senior_agent', 'Sam Rivera'));
  await startAndJoin(customer, sam, fixtures.url('/control.html'), 'Control fixture');

  const { code, link } = await inviteColleague(sam);
  assert.equal(link, `${server.url}/console/join/${code}`);
  const alex = await openConsole(browser, server, await createUser(server, 'agent', 'Alex Chen'));
  await alex.page.goto(link);
  await alex.waitForReplicaText('Control fixture');
  await customer.banner().getByText('Sam Rivera and Alex Chen are viewing this tab').waitFor({ timeout: 5_000 });

  const pat = await openConsole(browser, server, await createUser(server, 'supervisor', 'Pat Lee'));
  const liveRow = pat.page.getByTestId('live-session').filter({ hasText: 'Sam Rivera, Alex Chen' });
  const joinLabel = await liveRow.getByRole('button').getAttribute('aria-label');
  await liveRow.getByRole('button', { name: /^Join the .*session with Customer$/ }).click();
  await pat.waitForReplicaText('Control fixture');
  await customer.banner().getByText('Sam Rivera, Alex Chen and Pat Lee are viewing this tab').waitFor({ timeout: 5_000 });
  await sam.participants().filter({ hasText: 'Pat Lee' }).getByText('Supervisor').waitFor({ timeout: 5_000 });
  assert.equal(await sam.participants().count(), 4, 'the customer and three agents');

  // Sam points at the page: Alex sees Sam's named pointer in the replica.
  const at = await sam.replicaPoint('h1');
  await sam.page.mouse.move(at.x, at.y, { steps: 3 });
  await alex.page.locator('[data-testid="agent-pointer"][data-name="Sam Rivera"]').waitFor({ timeout: 5_000 });

  // One controller at a time: Pat's request waits until Sam releases control, then the customer is asked.
  await sam.requestControl();
  await customer.answerControl('Sam Rivera', 'Allow');
  await sam.waitInControl();
  await pat.requestControl();
  await sleep(500);
  assert.equal(await customer.controlPrompt('Pat Lee').count(), 0, 'no prompt for a second controller while one is in control');
  await customer.banner().getByText('Sam Rivera is controlling this tab').waitFor();
  await sam.button('Release control').click();
  await customer.answerControl('Pat Lee', 'Allow');
  await customer.banner().getByText('Pat Lee is controlling this tab').waitFor({ timeout: 5_000 });
  await pat.waitInControl();
  await sam.controlState().getByText('Pat Lee is in control').waitFor({ timeout: 5_000 });

  // Checked last, so that the rest of the test runs: the live session's Join button names the site.
  assert.equal(joinLabel, 'Join the Fixture shop session with Customer', 'the Live sessions list names the site');
});

test('invites: a friend invite is refused by default; when the site allows guests, the customer’s "Invite a friend" link lets a friend watch, view only', async (t) => {
  const browser = await withBrowser(t);
  const sockets: RawSocket[] = [];
  t.after(() => Promise.all(sockets.map((s) => s.close())));
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const customer = await openCustomer(browser);
  const sam = await openConsole(browser, server, await createUser(server, 'senior_agent', 'Sam Rivera'));
  await startAndJoin(customer, sam, fixtures.url('/control.html'), 'Control fixture');

  // Off by default: no button, the SDK refuses, and so does the server.
  await customer.banner().getByText('Sam Rivera is viewing this tab').waitFor({ timeout: 5_000 });
  assert.equal(await customer.banner().getByRole('button', { name: 'Invite a friend' }).count(), 0);
  const refused = await customer.page.evaluate(() =>
    (window as unknown as { Samepage: { inviteGuest(): Promise<unknown> } }).Samepage.inviteGuest().then(
      () => 'created',
      (error: { code?: string }) => error.code,
    ),
  );
  assert.equal(refused, 'forbidden');
  const host = await openSocket(socketUrl(server), { origin: fixtures.origin });
  sockets.push(host);
  host.send({ type: 'host_hello', v: 1, siteKey: fixtures.site.siteKey, page: { url: fixtures.url('/control.html'), title: 'raw' } });
  await host.next('welcome');
  host.send({ type: 'session_start' });
  await host.next('session_created');
  host.send({ type: 'guest_invite_create' });
  const error = await host.next('error');
  assert.match(String(error.code), /^(forbidden|permission_denied)$/);
  assert.equal(host.messages.filter((m) => m.type === 'guest_invite_created').length, 0);

  // The site allows guests: a new session gets the new policy.
  await server.store.updateSite(fixtures.site.tenantId, fixtures.site.id, { policy: { ...fixtures.site.policy, allowGuests: true } });
  await customer.stop();
  await sam.page.getByText('The customer ended the session').waitFor({ timeout: 5_000 });
  await sam.button(/Back to sessions/).click();
  await startAndJoin(customer, sam, fixtures.url('/control.html'), 'Control fixture');
  await customer.banner().getByRole('button', { name: 'Invite a friend' }).click();
  const linkField = customer.widget().getByRole('textbox', { name: 'Invitation link' });
  await linkField.waitFor({ timeout: 5_000 });
  const url = await linkField.inputValue();
  assert.match(url, /\/console\/watch\//);

  const friend = await (await browser.newContext()).newPage();
  await friend.goto(url);
  await friend.getByLabel('Your name').fill('Robin');
  await friend.getByRole('button', { name: 'Watch', exact: true }).click();
  const watcher = new ConsolePage(friend, server.url);
  await watcher.waitForReplicaText('Control fixture');
  await friend.getByText('View only').waitFor();
  await customer.banner().getByText('Sam Rivera and Robin (guest) are viewing this tab').waitFor({ timeout: 5_000 });

  // The friend sees the customer's page change, and has no tools.
  await customer.page.locator('#note').pressSequentially('for Robin');
  await watcher.waitForReplicaValue('#note', 'for Robin');
  assert.equal(await friend.getByRole('toolbar', { name: 'Drawing tools' }).count(), 0);
  assert.equal(await friend.getByRole('button', { name: 'Request control' }).count(), 0);
  assert.equal(await friend.getByRole('application').count(), 0);
  await watcher.clickReplica('#counter');
  assert.equal(await customer.page.textContent('#counter'), 'Clicked 0 times');
});

test('ten agents in one session all see the customer’s change', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const customer = await openCustomer(browser);
  const first = await openConsole(browser, server, await createUser(server, 'senior_agent', 'Agent 1'));
  await startAndJoin(customer, first, fixtures.url('/control.html'), 'Control fixture');

  const codes: string[] = [];
  for (let i = 2; i <= 10; i++) codes.push((await inviteColleague(first, codes[codes.length - 1] ?? null)).code);
  const others = await Promise.all(
    codes.map(async (code, i) => {
      const user = await createUser(server, 'agent', `Agent ${i + 2}`);
      const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
      const agent = new ConsolePage(await context.newPage(), server.url);
      await agent.loginByApi(user.email, user.password);
      await agent.page.goto(new URL(`/console/join/${code}`, server.url).href);
      await agent.waitForReplicaText('Control fixture', { timeout: 20_000 });
      return agent;
    }),
  );
  const agents = [first, ...others];
  assert.equal(agents.length, 10);
  await eventually(() => first.participants().count(), 11, 'the customer and ten agents are in the session', 10_000);

  const started = Date.now();
  await customer.page.locator('#note').pressSequentially('Seen by all ten');
  await Promise.all(agents.map((agent) => agent.waitForReplicaValue('#note', 'Seen by all ten', { timeout: 10_000 })));
  t.diagnostic(`all ten replicas showed the change ${Date.now() - started} ms after typing began`);
  const viewers = customer.banner().getByText(/are viewing this tab$/);
  await eventually(async () => {
    const text = (await viewers.textContent().catch(() => '')) ?? '';
    return agents.map((_, i) => `Agent ${i + 1}`).filter((name) => !new RegExp(`\\b${name}\\b`).test(text));
  }, [], 'the customer’s banner names all ten agents');
});

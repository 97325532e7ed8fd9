/**
 * Remote control, end to end (issue 3): the agent asks in the console, the customer answers in
 * the SDK widget, and every action happens on the customer's real page (a plain-DOM fixture and
 * a React 19 fixture on their own origin). A real server, real Chromium, one browser context
 * each for the customer and the agent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUser, eventually, grantControl, openConsole, openCustomer, sleep, startAndJoin, withBrowser } from './support/collab.ts';
import { startFixtureSite } from './support/fixture-site.ts';
import { socketUrl, withServer } from './support/server.ts';
import { openSocket, type RawSocket } from './support/socket-client.ts';

const AGENT = 'Sam Rivera';

/**
 * Everything on the control fixture an agent could change. Runs in the page: no inner named
 * functions (tsx would wrap them in a helper the page does not have).
 */
function fixtureState() {
  const fields = document.querySelectorAll<HTMLInputElement>('#note, #password, #size, #agree, #ship-courier, #story');
  return {
    counter: document.getElementById('counter')?.textContent,
    double: document.getElementById('double')?.textContent,
    fields: Array.from(fields).map((f) => `${f.id}=${f.type === 'checkbox' || f.type === 'radio' ? f.checked : f.value}`),
    story: (document.getElementById('story') as HTMLTextAreaElement).value,
    status: document.getElementById('status')?.textContent,
    keys: document.getElementById('keys')?.textContent,
    scrollY: window.scrollY,
    innerScroll: document.getElementById('scroller')?.scrollTop,
    url: location.href,
  };
}

test('control: a denied request leaves the page untouched; once allowed, the agent clicks, types, presses keys, scrolls, selects, ticks and submits; redacted fields and foreign origins are refused; Take back control stops it at once', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const agentUser = await createUser(server, 'senior_agent', AGENT);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, agentUser);
  const page = customer.page;
  await startAndJoin(customer, agent, fixtures.url('/control.html'), 'Control fixture');
  const untouched = await page.evaluate(fixtureState);

  // Deny: the agent is told, and neither a click on the replica nor anything else changes the page.
  await agent.requestControl();
  await customer.answerControl(AGENT, 'Deny');
  await agent.notices().getByText('Control denied').waitFor({ timeout: 5_000 });
  await agent.button('Request control').waitFor();
  assert.equal(await agent.page.getByRole('application').count(), 0, 'no control surface after a denial');
  await agent.clickReplica('#counter');
  await sleep(500);
  assert.deepEqual(await page.evaluate(fixtureState), untouched, 'the page is untouched after a denied request');

  // Ask again; Allow.
  await grantControl(customer, agent, AGENT);
  await customer.takeBackButton().waitFor();

  // Click and double-click.
  await agent.clickReplica('#counter');
  await page.getByText('Clicked 1 times').waitFor({ timeout: 5_000 });
  await agent.clickReplica('#counter', { double: true });
  await page.getByText('Double clicked').waitFor({ timeout: 5_000 });

  // Type into an allowed field, with Backspace; the replica shows it too.
  await agent.clickReplica('#note');
  await agent.page.keyboard.type('hello!');
  await eventually(() => page.inputValue('#note'), 'hello!', 'typed text reaches the customer’s field');
  await agent.page.keyboard.press('Backspace');
  await eventually(() => page.inputValue('#note'), 'hello', 'Backspace deletes on the customer’s page');
  await agent.page.keyboard.press('ArrowLeft');
  await agent.page.keyboard.type('X');
  await eventually(() => page.inputValue('#note'), 'hellXo', 'ArrowLeft moves the caret on the customer’s page');
  await agent.page.keyboard.press('Escape');
  await agent.waitForReplicaValue('#note', 'hellXo');
  assert.match((await page.textContent('#keys')) ?? '', /Backspace ArrowLeft X Escape/, 'the page saw the keydowns');

  // Tab moves the customer's focus to the next field (the password field).
  await agent.page.keyboard.press('Tab');
  await eventually(() => page.evaluate(() => document.activeElement?.id), 'password', 'Tab moves focus on the customer’s page');

  // A redacted field: typing fails with a notice, and the field stays empty.
  await agent.clickReplica('#password');
  await agent.page.keyboard.type('hunter2');
  await agent.notices().getByText('That field is protected and cannot be typed into.').waitFor({ timeout: 5_000 });
  assert.equal(await page.inputValue('#password'), '', 'nothing was typed into the password field');

  // A select, through the console's option picker.
  await agent.clickReplica('#size');
  const picker = agent.page.getByRole('dialog', { name: 'Choose an option' });
  await picker.getByRole('option', { name: 'Large' }).click();
  await eventually(() => page.inputValue('#size'), 'Large', 'the option is chosen on the customer’s page');
  await page.getByText('Size is Large').waitFor({ timeout: 5_000 }); // the page's change listener ran

  // A checkbox and a radio.
  await agent.clickReplica('#agree');
  await eventually(() => page.isChecked('#agree'), true, 'the checkbox is ticked');
  await agent.clickReplica('#ship-courier');
  await eventually(() => page.isChecked('#ship-courier'), true, 'the radio is chosen');

  // Submit: the button, then Enter in a single-line field (implicit submission).
  await agent.clickReplica('#submit');
  await page.getByText('Submitted: note=hellXo size=Large agree=true ship=courier').waitFor({ timeout: 5_000 });
  await page.evaluate(() => (document.getElementById('status')!.textContent = 'Waiting'));
  await agent.clickReplica('#note');
  await agent.page.keyboard.press('Enter');
  await page.getByText('Submitted: note=hellXo').waitFor({ timeout: 5_000 });
  assert.match((await page.textContent('#keys')) ?? '', /Enter/);

  // Scroll an inner element, then the window, with the mouse wheel over the replica.
  const inner = await agent.replicaPoint('#scroller');
  await agent.page.mouse.move(inner.x, inner.y);
  await agent.page.mouse.wheel(0, 200);
  await eventually(async () => ((await page.evaluate(() => document.getElementById('scroller')!.scrollTop)) > 0), true, 'the inner element scrolled');
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'the window did not scroll with the inner element');
  const heading = await agent.replicaPoint('h1');
  await agent.page.mouse.move(heading.x, heading.y);
  await agent.page.mouse.wheel(0, 400);
  await eventually(async () => ((await page.evaluate(() => window.scrollY)) > 100), true, 'the window scrolled');
  await page.evaluate(() => window.scrollTo(0, 0));

  // Navigation to a foreign origin is refused, with a clear notice; the tab stays.
  const before = page.url();
  await agent.page.getByRole('textbox', { name: 'Go to URL' }).fill('http://foreign.example/phish');
  await agent.button('Go').click();
  await agent.notices().getByText('Navigation to that site is not allowed.').waitFor({ timeout: 5_000 });
  await sleep(300);
  assert.equal(page.url(), before, 'the customer’s tab did not navigate');

  // Take back control: at once, the banner changes and the agent's clicks do nothing.
  await customer.takeBackButton().click();
  await customer.banner().getByText(`${AGENT} is viewing this tab`).waitFor({ timeout: 2_000 });
  await agent.notices().getByText('The customer took back control').waitFor({ timeout: 5_000 });
  await agent.button('Request control').waitFor();
  const afterRevoke = await page.evaluate(fixtureState);
  await agent.clickReplica('#counter');
  await sleep(500);
  assert.deepEqual(await page.evaluate(fixtureState), afterRevoke, 'no agent action after Take back control');
});

test('control: on a React page, typing, selecting and ticking update React state; allowed navigation gets there, and control survives the page load', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const agentUser = await createUser(server, 'senior_agent', AGENT);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, agentUser);
  const page = customer.page;
  await startAndJoin(customer, agent, fixtures.url('/control.html'), 'Control fixture');
  await grantControl(customer, agent, AGENT);

  // An allowed navigation (same origin as the page), typed in the console's URL bar.
  await agent.page.getByRole('textbox', { name: 'Go to URL' }).fill(fixtures.url('/react-form.html'));
  await agent.button('Go').click();
  await page.waitForURL(fixtures.url('/react-form.html'), { timeout: 10_000 });
  await agent.waitForReplicaText('Hello, stranger.');
  await customer.banner().getByText(`${AGENT} is controlling this tab`).waitFor({ timeout: 10_000 });
  await agent.waitInControl();

  await agent.clickReplica('#react-name');
  await agent.page.keyboard.type('Ada');
  await page.getByText('Hello, Ada!').waitFor({ timeout: 5_000 });
  await agent.waitForReplicaText('Hello, Ada!');
  await agent.page.keyboard.press('Backspace');
  await page.getByText('Hello, Ad!').waitFor({ timeout: 5_000 });

  await agent.clickReplica('#react-plan');
  await agent.page.getByRole('dialog', { name: 'Choose an option' }).getByRole('option', { name: 'Pro' }).click();
  await agent.clickReplica('#react-news');
  await page.getByText('State: Ad / pro / news').waitFor({ timeout: 5_000 });

  await agent.clickReplica('button[type=submit]');
  await page.getByText('Sent Ad on pro with news').waitFor({ timeout: 5_000 });
  await agent.waitForReplicaText('Sent Ad on pro with news');
});

test('control: a revoke in the middle of long typing stops it and no later action takes effect; Esc three times takes control back; control ends when the agent leaves', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const agentUser = await createUser(server, 'senior_agent', AGENT);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, agentUser);
  const page = customer.page;
  await startAndJoin(customer, agent, fixtures.url('/control.html'), 'Control fixture');
  await grantControl(customer, agent, AGENT);

  // The agent types a long text; the customer takes control back while it is arriving.
  const long = 'The quick brown fox jumps over the lazy dog. '.repeat(8);
  await agent.clickReplica('#story');
  const typing = agent.page.keyboard.type(long);
  await page.waitForFunction(() => (document.getElementById('story') as HTMLTextAreaElement).value.length >= 30, null, { timeout: 10_000 });
  await customer.takeBackButton().click();
  const atRevoke = (await page.inputValue('#story')).length;
  await typing; // the agent keeps typing; none of it may land
  const counter = await agent.replicaPoint('#counter');
  await agent.page.mouse.click(counter.x, counter.y);
  await sleep(1_000);
  const after = await page.evaluate(fixtureState);
  assert.ok(after.story.length < long.length, `the typing was cut short (${after.story.length} of ${long.length} characters)`);
  assert.ok(after.story.length <= atRevoke + 1, `nothing typed after the revoke: ${atRevoke} characters then, ${after.story.length} now`);
  assert.ok(long.startsWith(after.story), 'what arrived is a prefix of what was typed');
  t.diagnostic(`${atRevoke} of ${long.length} characters had arrived at the revoke; ${after.story.length} in the end`);
  assert.equal(after.counter, 'Clicked 0 times', 'a click after the revoke did nothing');
  await agent.notices().getByText('The customer took back control').waitFor({ timeout: 5_000 });

  // Esc pressed three times on the customer's page.
  await grantControl(customer, agent, AGENT);
  await page.locator('h1').click(); // the page has the focus, as when the customer reaches for the keyboard
  for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
  await customer.banner().getByText(`${AGENT} is viewing this tab`).waitFor({ timeout: 2_000 });
  await agent.button('Request control').waitFor({ timeout: 5_000 });

  // The agent in control leaves: control ends by itself.
  await grantControl(customer, agent, AGENT);
  await agent.button('Leave').click();
  await customer.takeBackButton().waitFor({ state: 'detached', timeout: 5_000 });
  const state = await page.evaluate(() => (window as unknown as { Samepage: { control: { state(): { controllerId: string | null } } } }).Samepage.control.state());
  assert.equal(state.controllerId, null, 'nobody controls the tab after the controller left');
});

test('control: an agent whose role lacks control has no "Request control" button, and the server rejects the control messages it sends anyway', async (t) => {
  const browser = await withBrowser(t);
  const sockets: RawSocket[] = [];
  t.after(() => Promise.all(sockets.map((s) => s.close())));
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const basic = await createUser(server, 'agent', 'Jo Basic');
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, basic);
  const page = customer.page;
  await startAndJoin(customer, agent, fixtures.url('/control.html'), 'Control fixture');

  await agent.controlState().waitFor();
  assert.equal(await agent.button('Request control').count(), 0, 'no Request control for role "agent"');

  // The same agent, on a raw socket (joined with a colleague code from the console), tries anyway.
  await agent.button('Invite a colleague').click();
  const code = /\d{6}/.exec((await agent.page.getByTestId('invite-code').textContent()) ?? '')?.[0];
  assert.ok(code, 'the console shows an invite code');
  const raw = await openSocket(socketUrl(server), { origin: server.url, cookie: await agent.sessionCookie() });
  sockets.push(raw);
  raw.send({ type: 'agent_hello', v: 1 });
  await raw.next('welcome');
  raw.send({ type: 'join', code });
  await raw.next('joined');

  raw.send({ type: 'control_request' });
  const refused = await raw.next('error');
  assert.equal(refused.code, 'permission_denied');
  const box = await page.locator('#counter').boundingBox();
  assert.ok(box);
  raw.send({ type: 'control_action', actionId: 1, action: { kind: 'click', target: { id: null, x: Math.round(box.x + 5), y: Math.round(box.y + 5) } } });
  const result = await raw.next('control_result');
  assert.deepEqual([result.actionId, result.ok, result.failure], [1, false, 'no_permission']);

  await sleep(500);
  assert.equal(await customer.page.getByRole('dialog').count(), 0, 'the customer was never asked');
  assert.equal(await page.textContent('#counter'), 'Clicked 0 times', 'the click never reached the page');
});

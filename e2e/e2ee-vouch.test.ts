/**
 * Vouching (issue 9, docs/E2EE.md "Vouching"): a supervisor who is not on the call cannot read a
 * code to the customer. An agent the customer verified by codes compares codes with the
 * supervisor console to console and vouches for the supervisor's key; the customer's tab then
 * verifies the supervisor's waiting pairing and sends it the keys. A vouch that names a key other
 * than the one the supervisor revealed to the tab is refused: no key goes to the supervisor.
 *
 * Real server (teed), the real SDK and real consoles in Chromium; in the second test the voucher
 * is a Node agent on the protocol's crypto core that lies about the key it checked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPairingIdentity, decodeE2eeHeader } from '@samepage/protocol';
import { createUser, eventually, openConsole, openCustomer, withBrowser } from './support/collab.ts';
import { makeCanaries, startCanarySite, startTappedServer, type TappedServer } from './support/e2ee-harness.ts';
import { compareCodes, customerCode, verifyDialog } from './support/e2ee-pages.ts';
import { joinAsNodeAgent, loginCookie } from './support/e2ee-node-agent.ts';
import type { ConsolePage } from './support/console-page.ts';

const ANN = 'Ann Agent';
const SAM = 'Sam Super';

const lock = (agent: ConsolePage) => agent.page.getByTestId('e2ee-lock');

/** `key` frames the relay delivered to the member numbered `member`. */
function keysTo(server: TappedServer, member: number): number {
  return server.frames.filter((f) => f.dir === 'out' && f.binary && f.data[0] === 0x02 && decodeE2eeHeader(f.data)?.type === 'key' && decodeE2eeHeader(f.data)?.to === member).length;
}

/** A supervisor joins a running session from the console's "Live sessions" list (a code is used once). */
async function joinFromLiveSessions(supervisor: ConsolePage, agentName: string): Promise<void> {
  const row = supervisor.page.getByTestId('live-session').filter({ hasText: agentName });
  await row.getByRole('button', { name: /^Join the .*session with/ }).click({ timeout: 15_000 });
}

/** The member number the relay gave the participant named `name`. */
function memberOf(server: TappedServer, name: string): number {
  const sessions = (server.relay as unknown as { sessions: Map<string, { members: Map<string, { participant: { name: string; member?: number } }> }> }).sessions;
  for (const session of sessions.values()) for (const m of session.members.values()) if (m.participant.name === name && m.participant.member !== undefined) return m.participant.member;
  throw new Error(`no member named ${name}`);
}

test('a supervisor not on the call is vouched for by the agent the customer verified, and then receives the keys and sees the page', async (t) => {
  const browser = await withBrowser(t);
  const server = await startTappedServer(t);
  const canaries = makeCanaries();
  const shop = await startCanarySite(t, server, canaries, { e2ee: true });
  const customer = await openCustomer(browser);
  const ann = await openConsole(browser, server, await createUser(server, 'senior_agent', ANN));
  const sam = await openConsole(browser, server, await createUser(server, 'supervisor', SAM));

  await customer.open(shop.pageUrl);
  const code = await customer.startSession();
  await ann.join(code);
  await compareCodes(customer, ann, ANN);
  await ann.waitForReplicaText(canaries.text, { timeout: 15_000 });

  // Sam joins; the customer is asked about Sam's code but nobody reads it out: Sam asks Ann.
  await joinFromLiveSessions(sam, ANN);
  await verifyDialog(customer, SAM).waitFor({ timeout: 15_000 });
  await sam.page.getByRole('button', { name: `Not on the call? Ask ${ANN} to vouch for you` }).click();
  const asked = ann.page.getByTestId('e2ee-vouch-asked');
  await asked.waitFor({ timeout: 10_000 });
  const asking = sam.page.getByTestId('e2ee-vouch-asking');
  await asking.waitFor({ timeout: 10_000 });
  const annSees = (await asked.locator('.e2ee-code').getAttribute('data-code')) ?? '';
  const samSees = ((await asking.locator('.e2ee-code').textContent()) ?? '').replace(/\s/g, '');
  assert.match(annSees, /^\d{6}$/);
  assert.equal(samSees, annSees, 'the two consoles show the same code');
  assert.equal(await lock(sam).getAttribute('data-state'), 'code', 'Sam is not verified before the vouch');
  await asked.getByRole('button', { name: 'It matches: vouch' }).click();

  // The tab accepts the vouch: Sam is verified, gets the key and reads the page; the customer is told.
  await ann.page.getByTestId('e2ee-vouch-result').and(ann.page.locator('[data-state="done"]')).waitFor({ state: 'attached', timeout: 10_000 });
  await lock(sam).and(sam.page.locator('[data-state="verified"]')).waitFor({ timeout: 15_000 });
  await sam.waitForReplicaText(canaries.text, { timeout: 15_000 });
  await customer.widget().getByText(`${ANN} confirmed ${SAM}`).first().waitFor({ timeout: 10_000 });
  await verifyDialog(customer, SAM).waitFor({ state: 'detached', timeout: 5_000 });
  assert.ok(keysTo(server, memberOf(server, SAM)) > 0, 'the relay delivered key frames to Sam');
});

test('a vouch for a key other than the one the supervisor revealed to the tab is refused: the supervisor gets no key and sees nothing', async (t) => {
  const browser = await withBrowser(t);
  const server = await startTappedServer(t);
  const canaries = makeCanaries();
  const shop = await startCanarySite(t, server, canaries, { e2ee: true });
  const customer = await openCustomer(browser);
  const annUser = await createUser(server, 'senior_agent', ANN);
  const sam = await openConsole(browser, server, await createUser(server, 'supervisor', SAM));

  await customer.open(shop.pageUrl);
  await customer.page.evaluate('window.__vouchErrors = []; window.Samepage.on("error", (e) => window.__vouchErrors.push(e.code));');
  const code = await customer.startSession();

  // Ann (a Node agent) is verified by codes.
  const a = await joinAsNodeAgent(server.url, await loginCookie(server.url, annUser.email, annUser.password), code);
  t.after(() => a.close());
  assert.equal(await customerCode(customer, ANN), await a.code);
  await verifyDialog(customer, ANN).getByRole('button', { name: 'It matches', exact: true }).click();
  await eventually(async () => a.epochs.length > 0, true, 'Ann got an epoch key', 10_000);

  // Sam joins and waits for confirmation; Ann vouches for Sam with the fingerprint of another key.
  await joinFromLiveSessions(sam, ANN);
  await verifyDialog(customer, SAM).waitFor({ timeout: 15_000 });
  const joined = a.messages.find((m) => m.type === 'participant_joined' && (m as { participant?: { name?: string } }).participant?.name === SAM) as { participant: { member: number } } | undefined;
  const samMember = joined?.participant.member;
  assert.ok(typeof samMember === 'number' && samMember > a.member, 'Sam has a member number');
  const otherKey = await createPairingIdentity();
  await a.sendVouch(samMember, otherKey.fingerprint);

  await eventually(() => customer.page.evaluate('window.__vouchErrors.includes("e2ee_bad_recipient")'), true, 'the tab refused the vouch', 10_000);
  // Nothing was released to Sam: no key frame, the lock unverified, the replica empty, the question still open.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(keysTo(server, samMember), 0, 'no key frame went to Sam');
  assert.equal(await lock(sam).getAttribute('data-state'), 'code');
  assert.ok(!((await sam.replica())?.text ?? '').includes(canaries.text), 'Sam cannot read the page');
  assert.ok(await verifyDialog(customer, SAM).isVisible(), 'the customer is still asked about Sam');
  assert.ok(keysTo(server, a.member) > 0, 'the relay did deliver keys to Ann, so the count can fail');
});

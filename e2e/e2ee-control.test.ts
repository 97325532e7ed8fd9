/**
 * Control under end-to-end encryption (issue 9, docs/E2EE.md "Control"): control actions travel
 * under the agent's own pairwise key, and the customer's tab re-checks, after decrypting, that
 * the agent is the one the customer gave control to in this tab. The relay is made to misbehave:
 * it forwards a control frame from a verified agent the customer did not grant control to (the
 * relay's own gate refused it), and then also tells the tab that agent holds control. The tab
 * refuses both; the granted agent's typing works. Real SDK in Chromium, Node agents.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeE2eeHeader } from '@samepage/protocol';
import { createUser, eventually, openCustomer, withBrowser } from './support/collab.ts';
import { makeCanaries, startCanarySite, startTappedServer } from './support/e2ee-harness.ts';
import { customerCode, verifyDialog } from './support/e2ee-pages.ts';
import { joinAsNodeAgent, loginCookie, type NodeAgent } from './support/e2ee-node-agent.ts';
import type { CustomerPage } from './support/customer-page.ts';

async function verify(customer: CustomerPage, name: string, agent: NodeAgent): Promise<void> {
  assert.equal(await customerCode(customer, name), await agent.code);
  await verifyDialog(customer, name).getByRole('button', { name: 'It matches', exact: true }).click();
  await eventually(async () => agent.epochs.length > 0, true, `${name} got an epoch key`, 10_000);
}

const typedValue = (customer: CustomerPage) => customer.page.evaluate(() => (document.getElementById('typed') as HTMLTextAreaElement).value);
const resultOf = (agent: NodeAgent, actionId: number) => agent.results.find((r) => r.actionId === actionId) ?? null;

test('control: the granted agent types into the page; a control frame from a verified agent without the grant, forwarded by a misbehaving relay, is refused by the tab, also when the relay claims that agent holds control', async (t) => {
  const browser = await withBrowser(t);
  const server = await startTappedServer(t);
  const shop = await startCanarySite(t, server, makeCanaries(), { e2ee: true });
  const ann = await createUser(server, 'senior_agent', 'Ann');
  const bea = await createUser(server, 'senior_agent', 'Bea');
  const customer = await openCustomer(browser);
  await customer.open(shop.pageUrl);
  await customer.page.evaluate('window.__errors = []; Samepage.on("error", (e) => window.__errors.push(e.code));');
  const code = await customer.startSession();
  const a = await joinAsNodeAgent(server.url, await loginCookie(server.url, ann.email, ann.password), code);
  t.after(() => a.close());
  await verify(customer, 'Ann', a);
  a.send({ type: 'invite_create' });
  const invite = (await a.next('invite_created')) as unknown as { code: string };
  const b = await joinAsNodeAgent(server.url, await loginCookie(server.url, bea.email, bea.password), invite.code);
  t.after(() => b.close());
  await verify(customer, 'Bea', b);
  await eventually(async () => a.epochs.at(-1)?.epoch === b.epochs.at(-1)?.epoch, true, 'both agents hold the newest epoch', 10_000);

  // The customer gives control to Ann, in the widget's prompt.
  a.send({ type: 'control_request' });
  await customer.answerControl('Ann', 'Allow');
  await eventually(async () => a.messages.some((m) => m.type === 'control_state' && m.controllerId === a.participantId), true, 'Ann is in control', 10_000);
  const target = await customer.page.evaluate(() => {
    const r = document.getElementById('typed')!.getBoundingClientRect();
    return { id: null, x: Math.round(r.x + r.width / 2), y: Math.round(r.y + r.height / 2) };
  });
  await a.sendControl(1, { kind: 'type', target, text: 'granted' });
  await eventually(() => typedValue(customer), 'granted', 'Ann’s typing reached the page', 10_000);
  await eventually(async () => resultOf(a, 1)?.ok, true, 'Ann got an encrypted ctl_result');

  // Bea was verified but not given control. The relay's gate refuses her frame; a misbehaving relay forwards it anyway.
  const host = server.conns.find((c) => c.role === 'host')!;
  const beaConn = server.conns.filter((c) => c.role === 'agent')[1]!;
  server.incoming = (conn, data, binary) => {
    if (conn === beaConn && binary && decodeE2eeHeader(data)?.type === 'ctl') host.deliver(data);
    return 'pass';
  };
  await b.sendControl(2, { kind: 'type', target, text: ' and Bea' });
  await eventually(async () => resultOf(b, 2), { actionId: 2, ok: false, failure: 'not_controller' }, 'the tab refused Bea’s action and told her', 10_000);
  assert.ok((await b.next('error')).code === 'e2ee_not_controller', 'the relay’s own gate refused it too');

  // The relay now also claims that Bea holds control: the tab goes by the customer's own answer.
  host.deliver(JSON.stringify({ type: 'control_state', controllerId: b.participantId, pending: [], reason: 'granted' }));
  await b.sendControl(3, { kind: 'type', target, text: ' and Bea again' });
  await eventually(async () => resultOf(b, 3), { actionId: 3, ok: false, failure: 'not_controller' }, 'refused again', 10_000);
  assert.equal(await typedValue(customer), 'granted', 'nothing Bea sent reached the page');
  const errors = (await customer.page.evaluate('window.__errors')) as string[];
  assert.ok(errors.filter((c) => c === 'e2ee_not_controller').length >= 2, `the tab reported each refusal (${errors.join(', ')})`);
});

/**
 * A key-swapping relay (issue 9, docs/E2EE.md "Pairing"): the server runs the pairing with each
 * side itself, as an active attacker in the middle would: it commits to its own key towards the
 * customer's tab and answers the agent's commitment with its own key. Neither code can be
 * steered, so the code the customer is shown and the code the agent reads out differ; the
 * customer answers "It doesn't match", both screens warn, and the tab releases no epoch key: not
 * one `key` frame leaves it, and the agent's replica stays empty. Real SDK and console in Chromium.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentPairing, CustomerPairing, createPairingIdentity, decodeE2eeHeader, decodePairFrame, encodePairFrame, type PairBody } from '@samepage/protocol';
import { createUser, eventually, openConsole, openCustomer, withBrowser } from './support/collab.ts';
import { makeCanaries, startCanarySite, startTappedServer, type TeedConn } from './support/e2ee-harness.ts';
import { compareCodes } from './support/e2ee-pages.ts';

const AGENT = 'Ann Agent';

test('a relay that swaps the pairing keys makes the two codes differ; the customer is warned, the agent too, and no epoch key leaves the tab', async (t) => {
  const browser = await withBrowser(t);
  const server = await startTappedServer(t);
  const canaries = makeCanaries();
  const shop = await startCanarySite(t, server, canaries, { e2ee: true });
  const user = await createUser(server, 'senior_agent', AGENT);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, user);
  await customer.open(shop.pageUrl);
  const code = await customer.startSession();
  const sessionId = server.frames
    .filter((f) => f.dir === 'out' && !f.binary)
    .map((f) => JSON.parse(f.data.toString('utf8')) as { type: string; sessionId?: string })
    .find((m) => m.type === 'session_created')!.sessionId!;

  // The relay in the middle: towards the agent it plays the customer, towards the customer the agent.
  const seen: { towardsCustomer: string | null; towardsAgent: string | null } = { towardsCustomer: null, towardsAgent: null };
  let asAgent: AgentPairing | null = null;
  let asCustomer: CustomerPairing | null = null;
  let agentConn: TeedConn | null = null;
  let member = 0;
  const seqs = { toAgent: 0, toCustomer: 0 };
  const host = (): TeedConn => server.conns.find((c) => c.role === 'host')!;
  const toAgent = (body: PairBody | null) => body && agentConn?.deliver(Buffer.from(encodePairFrame({ epoch: 0, sender: 0, to: member, seq: seqs.toAgent++ }, body)));
  const toCustomer = (body: PairBody | null) => body && host().deliver(Buffer.from(encodePairFrame({ epoch: 0, sender: member, to: 0, seq: seqs.toCustomer++ }, body)));
  let queue: Promise<void> = Promise.resolve();
  server.incoming = (conn, data, binary) => {
    const header = binary ? decodeE2eeHeader(data) : null;
    const pair = header?.type === 'pair' ? decodePairFrame(data) : null;
    if (!header || !pair) return 'pass';
    queue = queue.then(async () => {
      if (header.sender !== 0) {
        agentConn = conn;
        member = header.sender;
        if (pair.body.step === 'commit') {
          asCustomer = new CustomerPairing({ sessionId, agent: member });
          toAgent((await asCustomer.receive(pair.body)).send);
          asAgent = new AgentPairing({ sessionId, member, identity: await createPairingIdentity() });
          toCustomer((await asAgent.start()).send);
        } else if (pair.body.step === 'reveal' && asCustomer) {
          await asCustomer.receive(pair.body);
          seen.towardsAgent = asCustomer.sas;
        }
      } else if (pair.body.step === 'offer' && asAgent) {
        toCustomer((await asAgent.receive(pair.body)).send);
        seen.towardsCustomer = asAgent.sas;
      } else {
        agentConn?.deliver(data); // the customer's answer (an abort) goes on to the agent as it is
      }
    });
    return 'drop';
  };

  await agent.join(code);
  const codes = await compareCodes(customer, agent, AGENT);
  assert.notEqual(codes.customer, codes.agent, 'the codes differ');
  assert.deepEqual(seen, { towardsCustomer: codes.customer, towardsAgent: codes.agent }, 'each side paired with the relay, not with each other');

  await customer.widget().getByRole('alert').getByText('The codes did not match. This connection may be intercepted.', { exact: false }).waitFor({ timeout: 5_000 });
  await agent.page.getByTestId('e2ee-mismatch').getByText('The codes did not match. This connection may be intercepted.').waitFor({ timeout: 5_000 });
  await eventually(async () => agent.page.getByTestId('e2ee-lock').getAttribute('data-state'), 'failed', 'the agent’s lock says not verified');

  // The customer keeps using the page; nothing readable goes to anyone.
  const fromTab = server.frames.filter((f) => f.conn === host().id && f.dir === 'in' && f.binary);
  await customer.addMarker('after the mismatch');
  await eventually(async () => server.frames.filter((f) => f.conn === host().id && f.dir === 'in' && f.binary).length > fromTab.length, true, 'the tab goes on streaming (encrypted)');
  const keys = server.frames.filter((f) => f.conn === host().id && f.dir === 'in' && f.binary && decodeE2eeHeader(f.data)?.type === 'key');
  assert.equal(keys.length, 0, 'no epoch key left the customer’s tab');
  const replica = await agent.replica();
  assert.ok(!replica?.text.includes(canaries.text), 'the agent’s replica shows nothing of the page');
});

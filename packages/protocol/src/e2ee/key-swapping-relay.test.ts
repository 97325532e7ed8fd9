/**
 * An active relay that swaps keys in both directions (issue 9, "Key-swapping relay"): towards the
 * customer it plays an agent with its own key, towards the agent it plays the customer. Both
 * people then see codes from different ECDH secrets. With a 6-digit code, a relay wins one try in
 * a million; the runs below must all differ, and the customer's "no" must release nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toBase64Url } from './bytes.ts';
import { AgentPairing } from './agent-pairing.ts';
import { CustomerPairing } from './customer-pairing.ts';
import { createEpoch } from './epochs.ts';
import { createPairingIdentity } from './pairing-crypto.ts';
import { createPairwiseSender, sealEpochKey } from './pairwise.ts';
import { carry } from './test-support.ts';

const SESSION = 'sess-mitm';
const RUNS = 60;

/** One pairing through a relay that substitutes its own keys. Returns both sides and every body the customer sent. */
async function pairThroughSwappingRelay(member: number) {
  const agent = new AgentPairing({ sessionId: SESSION, member, identity: await createPairingIdentity() });
  const customer = new CustomerPairing({ sessionId: SESSION, agent: member });
  // The relay's two faces: an agent towards the customer, a customer towards the agent.
  const fakeAgent = new AgentPairing({ sessionId: SESSION, member, identity: await createPairingIdentity() });
  const fakeCustomer = new CustomerPairing({ sessionId: SESSION, agent: member });
  const fromCustomer: unknown[] = [];

  // Best order for the relay: finish with the real agent first, so it knows the agent's code before it faces the customer.
  const realOffer = await fakeCustomer.receive(carry(await agent.start()));
  await fakeCustomer.receive(carry(await agent.receive(carry(realOffer))));
  const offer = await customer.receive(carry(await fakeAgent.start()));
  fromCustomer.push(offer.send);
  await customer.receive(carry(await fakeAgent.receive(carry(offer))));
  return { agent, customer, fakeCustomer, fromCustomer };
}

test(`a key-swapping relay makes the two codes differ (${RUNS} runs out of ${RUNS})`, async () => {
  for (let run = 0; run < RUNS; run++) {
    const { agent, customer, fakeCustomer } = await pairThroughSwappingRelay(2 + (run % 5));
    assert.equal(customer.state, 'awaiting_confirmation', 'the relay completed the protocol with the customer');
    assert.equal(agent.state, 'revealed');
    assert.notEqual(customer.sas, agent.sas, `run ${run}: the codes matched`);
    assert.equal(fakeCustomer.sas, agent.sas, 'the relay knows the agent’s code, but not how to make the customer show it');
  }
});

test('a customer who reports the mismatch releases no epoch key, and nothing sent carries one', async () => {
  const epoch = createEpoch(11);
  const { customer, fromCustomer } = await pairThroughSwappingRelay(4);
  const step = await customer.confirm(false);
  fromCustomer.push(step.send);
  assert.equal(customer.state, 'failed');
  assert.equal(customer.link(), null, 'no pairwise link: nothing can be sealed for this agent');
  assert.equal(customer.acceptVouchedFingerprint(customer.agentFingerprint ?? new Uint8Array(32), 9), null, 'and a vouch cannot revive it');
  // Everything the customer's side sent in this pairing, in any encoding, holds no trace of E_n.
  const sent = JSON.stringify(fromCustomer);
  for (const form of [toBase64Url(epoch.secret), Buffer.from(epoch.secret).toString('hex'), Buffer.from(epoch.secret).toString('base64')]) assert.ok(!sent.includes(form));
  assert.deepEqual(step.send, { v: 1, step: 'abort', reason: 'sas_mismatch' });
  // sealEpochKey needs a pairwise sender, which needs a link: the type system and the state machine both stand in the way.
  await assert.rejects(async () => sealEpochKey(await createPairwiseSender(customer.link()!, 11, 'customer'), epoch));
});

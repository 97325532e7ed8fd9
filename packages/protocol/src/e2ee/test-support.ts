/**
 * Test-only helpers for the e2ee unit tests and the browser vectors: run a pairing between two
 * state machines directly, the way the relay would carry the bodies (as JSON text).
 */
import { AgentPairing } from './agent-pairing.ts';
import { CustomerPairing } from './customer-pairing.ts';
import type { PairBody, PairingStep } from './pair-body.ts';
import { createPairingIdentity, type PairingIdentity } from './pairing-crypto.ts';

/** A body as the other side receives it: serialised and parsed again. */
export function carry(step: PairingStep): unknown {
  if (!step.send) throw new Error('expected a body to send');
  return JSON.parse(JSON.stringify(step.send as PairBody));
}

/** Runs commit, offer and reveal; both sides then show their codes. */
export async function runPairingUntilCodes(sessionId: string, member: number, identity?: PairingIdentity, self = 0): Promise<{ customer: CustomerPairing; agent: AgentPairing }> {
  const agent = new AgentPairing({ sessionId, member, identity: identity ?? (await createPairingIdentity()), peer: self });
  const customer = new CustomerPairing({ sessionId, agent: member, self });
  const offer = await customer.receive(carry(await agent.start()));
  const reveal = await agent.receive(carry(offer));
  const last = await customer.receive(carry(reveal));
  if (last.send) throw new Error('the customer answered a valid reveal');
  return { customer, agent };
}

/** A whole pairing where the customer confirms the match. */
export async function runVerifiedPairing(sessionId: string, member: number, identity?: PairingIdentity) {
  const { customer, agent } = await runPairingUntilCodes(sessionId, member, identity);
  await agent.receive(carry(await customer.confirm(true)));
  const customerLink = customer.link();
  const agentLink = agent.link();
  if (!customerLink || !agentLink) throw new Error(`pairing did not verify: ${customer.state}/${agent.state}`);
  return { customer, agent, customerLink, agentLink };
}

/**
 * The pairing step of an encrypted session as the two people see it: the agent's console shows
 * "Read this code to the customer", the customer's widget asks "Does Ann read you this code: …?".
 */
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { eventually, grantControl } from './collab.ts';
import type { ConsolePage } from './console-page.ts';
import type { CustomerPage } from './customer-page.ts';

/** The customer's question for `agent` (the widget's modal). */
export function verifyDialog(customer: CustomerPage, agent: string): Locator {
  return customer.page.getByRole('dialog', { name: new RegExp(`^Does ${agent} read you this code`) });
}

/** The 6 digits in "Does Ann read you this code: 123 456?". */
export async function customerCode(customer: CustomerPage, agent: string): Promise<string> {
  const dialog = verifyDialog(customer, agent);
  await dialog.waitFor({ timeout: 15_000 });
  const title = (await dialog.getByRole('heading').textContent()) ?? '';
  const digits = /(\d{3}) (\d{3})\?$/.exec(title);
  if (!digits) throw new Error(`no code in "${title}"`);
  return `${digits[1]}${digits[2]}`;
}

/** The code the agent's console tells it to read out. */
export async function agentCode(agent: ConsolePage): Promise<string> {
  const shown = agent.page.getByTestId('e2ee-code');
  await shown.waitFor({ timeout: 15_000 });
  return (await shown.getAttribute('data-code')) ?? '';
}

/**
 * Reads both codes, and the customer answers as a person would: "It matches" when they are the
 * same, "It doesn't match" otherwise (or as `answer` forces).
 */
export async function compareCodes(customer: CustomerPage, agent: ConsolePage, agentName: string, answer?: 'match' | 'mismatch'): Promise<{ customer: string; agent: string }> {
  const [c, a] = await Promise.all([customerCode(customer, agentName), agentCode(agent)]);
  const matches = answer ? answer === 'match' : c === a;
  const dialog = verifyDialog(customer, agentName);
  await dialog.getByRole('button', { name: matches ? 'It matches' : 'It doesn’t match', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 5_000 });
  return { customer: c, agent: a };
}

/** The customer checks the agent's code, both screens show the same one, and the agent's lock turns to verified. */
export async function verifyAgent(customer: CustomerPage, agent: ConsolePage, agentName: string): Promise<void> {
  const codes = await compareCodes(customer, agent, agentName);
  assert.equal(codes.customer, codes.agent, 'both screens show the same code');
  await agent.page.getByTestId('e2ee-lock').and(agent.page.locator('[data-state="verified"]')).waitFor({ timeout: 10_000 });
}

/** A chat message each way, each seen on the other side. */
export async function chatBothWays(customer: CustomerPage, agent: ConsolePage, fromCustomer: string, fromAgent: string): Promise<void> {
  await customer.sendChat(fromCustomer);
  await agent.chatMessages().filter({ hasText: fromCustomer }).waitFor({ timeout: 10_000 });
  await agent.sendChat(fromAgent);
  await customer.widget().getByText(fromAgent).waitFor({ timeout: 10_000 });
}

/** The customer grants control, and the agent types `text` into the page's `#typed` field through the replica. */
export async function typeUnderControl(customer: CustomerPage, agent: ConsolePage, agentName: string, text: string): Promise<void> {
  await grantControl(customer, agent, agentName);
  await agent.clickReplica('#typed');
  await agent.page.keyboard.type(text);
  await eventually(() => customer.page.evaluate('document.getElementById("typed").value'), text, 'the typed text on the customer page', 10_000);
}

/**
 * Issue 8, headless mode: `data-widget="off"` shows none of the SDK's UI, and the React example
 * (examples/headless-react) builds its own from the documented API and events: start and code,
 * an agent's control request answered with its own dialog, "Take back control", chat both
 * ways, and the end. The agent's pointer still shows (pointing is part of co-browsing).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWidgetSite, type WidgetSite } from './support/widget-site.ts';
import { agentJoins, openCustomerPage, widget, widgetEnv, type WidgetEnv } from './support/widget-test.ts';

let env: WidgetEnv;
let site: WidgetSite;
before(async () => {
  env = await widgetEnv();
  site = await startWidgetSite(env.t, env.server);
});
after(() => env.close());

test('the headless React example: start → code, consent → allow/deny, control and take back, chat, end', async () => {
  const customer = await openCustomerPage(env);
  const { page } = customer;
  await customer.open(site.url('/headless/'));
  const help = page.getByRole('region', { name: 'Help' });
  await help.getByRole('button', { name: 'Share my screen with support' }).click();
  const code = ((await help.getByTestId('code').textContent({ timeout: 10_000 })) ?? '').trim();
  assert.match(code, /^\d{6}$/);
  const agent = await agentJoins(env, code, 'Claim number');
  await help.getByTestId('viewers').getByText('With you: Sam Rivera').waitFor({ timeout: 5_000 });

  // Control: deny first, then allow.
  await agent.requestControl();
  const ask = help.getByRole('dialog', { name: 'Sam Rivera asks to control your screen' });
  await ask.waitFor({ timeout: 5_000 });
  await ask.getByRole('button', { name: 'No thanks' }).click();
  await agent.page.getByText('Control denied: the customer declined your request.').waitFor({ timeout: 5_000 });
  await agent.requestControl();
  await ask.getByRole('button', { name: 'Let them' }).click();
  await help.getByText('Sam Rivera is in control').waitFor({ timeout: 5_000 });
  await agent.waitInControl();
  await help.getByRole('button', { name: 'Take back control' }).click();
  await help.getByText('With you: Sam Rivera').waitFor({ timeout: 5_000 });

  // Chat both ways.
  await agent.sendChat('Hello from support');
  await help.getByRole('list', { name: 'Conversation' }).getByText('Hello from support').waitFor({ timeout: 5_000 });
  await help.getByRole('textbox', { name: 'Your message' }).fill('Thanks, I see the claim');
  await help.getByRole('button', { name: 'Send message' }).click();
  await agent.chatMessages().getByText('Thanks, I see the claim').waitFor({ timeout: 5_000 });

  // None of the built-in UI showed at any point: the shadow root holds only the (empty) layers.
  const shown = await widget(page).evaluate((h) => h.shadowRoot?.querySelector('.sp-ui')?.childElementCount ?? 0);
  assert.equal(shown, 0);
  assert.equal(await widget(page).locator('.sp-banner, .sp-card, .sp-modal, .sp-chat, .sp-btn').count(), 0);
  assert.ok(!(await page.evaluate(() => [...document.scripts].some((s) => s.src.endsWith('/sdk/widget.js')))), 'widget.js never loads');

  await help.getByRole('button', { name: 'End sharing' }).click();
  await help.getByText('You ended the session.').waitFor({ timeout: 5_000 });
  await agent.page.getByText(/ended/i).first().waitFor({ timeout: 5_000 });
  await agent.page.context().close();
  await page.context().close();
});

/**
 * Takes the README's screenshot of the console in a live session on the demo shop:
 * `node --import tsx scripts/screenshot-console.ts` (after `npm run build`).
 */
import { chromium } from 'playwright-core';
import { startServer } from '@samepage/server';

const server = await startServer();
const browser = await chromium.launch({ executablePath: process.env.SAMEPAGE_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const customer = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await customer.goto(`${server.url}/checkout.html`);
  await customer.waitForFunction(() => 'Samepage' in window);
  const { code } = await customer.evaluate(() => (window as unknown as { Samepage: { startSession(): Promise<{ code: string }> } }).Samepage.startSession());
  const agent = await (await browser.newContext({ viewport: { width: 1600, height: 940 } })).newPage();
  await agent.goto(`${server.url}/console/login`);
  await agent.getByLabel('Email').fill(server.admin.email);
  await agent.getByLabel('Password').fill(server.admin.password);
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await agent.getByLabel('Session code').fill(code);
  await agent.getByRole('button', { name: 'Join', exact: true }).click();
  await agent.waitForFunction(() => !!(window as unknown as { __samepageReplica?: { document(): Document | null } }).__samepageReplica?.document()?.querySelector('h1'));
  await customer.getByLabel('Card number').fill('4242 4242 4242 4242').catch(() => undefined);
  await customer.locator('textarea').first().fill('Happy birthday, Sam!').catch(() => undefined);
  await customer.mouse.move(640, 420);
  await agent.getByLabel('Message').fill('I can see your checkout. The gift message box is just above.').catch(() => undefined);
  await agent.getByRole('button', { name: 'Send' }).click().catch(() => undefined);
  await agent.waitForTimeout(800);
  await agent.screenshot({ path: 'docs/images/console-live-session.png' });
  await customer.screenshot({ path: 'docs/images/customer-with-banner.png' });
  console.log('wrote docs/images/console-live-session.png and docs/images/customer-with-banner.png');
} finally {
  await browser.close();
  await server.close();
}

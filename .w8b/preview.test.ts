// scratch (w8b): the console's widget preview; deleted before handing back.
import { test } from 'node:test';
import { launchChromium } from '../e2e/support/browser.ts';
import { ConsolePage } from '../e2e/support/console-page.ts';
import { withServer } from '../e2e/support/server.ts';
test('preview', { timeout: 60_000 }, async (t) => {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const server = await withServer(t);
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  await new ConsolePage(page, server.url).login(server.admin.email, server.admin.password);
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Sites', exact: true }).click();
  const section = page.locator('section[aria-label="Widget preview"]');
  await section.locator('figure').first().waitFor();
  await page.waitForTimeout(500);
  await section.screenshot({ path: '/tmp/w8b/preview.png' });
});

// scratch (w8b): screenshots of the session bar on the demo shop; deleted before handing back.
import { test } from 'node:test';
import { launchChromium } from '../e2e/support/browser.ts';
import { ConsolePage } from '../e2e/support/console-page.ts';
import { CustomerPage } from '../e2e/support/customer-page.ts';
import { withServer } from '../e2e/support/server.ts';

const OUT = process.env.OUT || '/tmp/w8b';
const sizes = (process.env.SIZES || '1280x800').split(',');
test('shots', { timeout: 120_000 }, async (t) => {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const server = await withServer(t);
  for (const size of sizes) {
    const [w, h, z] = size.split('x').map(Number);
    const customer = new CustomerPage(await (await browser.newContext({ viewport: { width: w!, height: h! }, deviceScaleFactor: z || 1 })).newPage());
    const { page } = customer;
    await customer.open(`${server.url}/index.html`);
    const code = await customer.startSessionWithButton();
    const agent = new ConsolePage(await (await browser.newContext()).newPage(), server.url);
    await agent.login(server.admin.email, server.admin.password);
    await agent.join(code);
    await customer.banner().getByText('is viewing this tab').waitFor({ timeout: 10_000 });
    for (const pos of (process.env.POS || 'bottom-right').split(',')) for (const mode of (process.env.MODES || 'light').split(',')) {
      await page.evaluate(`window.Samepage.init({ theme: { position: '${pos}', mode: '${mode}' } })`);
      await page.waitForTimeout(150);
      await page.screenshot({ path: `${OUT}/${size}-${pos}-${mode}.png` });
      if (process.env.BAR) await customer.banner().screenshot({ path: `${OUT}/bar-${size}-${pos}-${mode}.png` });
      if (process.env.CHAT) {
        await customer.banner().getByRole('button', { name: 'Chat' }).click();
        await page.waitForTimeout(100);
        await page.screenshot({ path: `${OUT}/${size}-${pos}-${mode}-chat.png` });
        await page.keyboard.press('Escape');
      }
    }
    if (process.env.MIN) {
      await customer.banner().getByRole('button', { name: 'Minimise' }).click();
      await page.waitForTimeout(100);
      await page.screenshot({ path: `${OUT}/${size}-min.png` });
      if (process.env.BAR) await customer.banner().screenshot({ path: `${OUT}/bar-${size}-min.png` });
      if (process.env.BAR) { await customer.banner().getByRole('button', { name: /viewing/ }).focus(); await page.keyboard.press('Shift+Tab'); await page.keyboard.press('Tab'); await customer.banner().screenshot({ path: `${OUT}/bar-${size}-min-focus.png` }); }
      await customer.banner().getByRole('button', { name: /viewing/ }).click();
    }
    if (process.env.CONTROL) {
      await agent.requestControl();
      await page.getByRole('dialog', { name: /wants to control this tab/ }).getByRole('button', { name: 'Allow', exact: true }).click();
      await customer.banner().getByText('is controlling this tab').waitFor();
      await page.screenshot({ path: `${OUT}/${size}-controlled.png` });
      if (process.env.BAR) await customer.banner().screenshot({ path: `${OUT}/bar-${size}-controlled.png` });
    }
    await agent.page.context().close();
    await page.context().close();
  }
});

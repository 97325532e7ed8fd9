/**
 * End-to-end encryption in the admin console (issue 9): an admin turns E2EE on for a site in
 * the site editor (real server, real Chromium); the policy is saved, the explanation is shown,
 * and the embed snippet then pins the SDK with the integrity hash the server publishes, which a
 * real browser accepts when it loads the SDK with that snippet.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchChromium } from './support/browser.ts';
import { ConsolePage } from './support/console-page.ts';
import { withServer } from './support/server.ts';

test('an admin turns on end-to-end encryption for a site; the snippet then pins the SDK, and a browser runs the pinned SDK', async (t) => {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const server = await withServer(t);
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  await new ConsolePage(page, server.url).login(server.admin.email, server.admin.password);
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Sites', exact: true }).click();

  const toggle = page.getByLabel('End-to-end encryption', { exact: true });
  assert.equal(await toggle.isChecked(), false, 'off by default');
  const hint = await page.locator(`#${await toggle.getAttribute('aria-describedby')}`).textContent();
  assert.match(hint ?? '', /only metadata/, 'the editor explains what it means');
  assert.match(hint ?? '', /shared browser/, 'and what it switches off');
  await toggle.check();
  await page.getByRole('button', { name: 'Save site' }).click();
  await page.getByText('Site saved.').waitFor();
  const site = await server.store.findSiteByKey(server.demoSiteKey);
  assert.equal(site?.policy.e2ee, true, 'saved in the site policy');

  const { files } = (await (await fetch(`${server.url}/sdk/integrity.json`)).json()) as { files: Record<string, string> };
  const snippet = page.getByLabel('Embed snippet', { exact: true });
  const expected = `<script src="${new URL(server.url).origin}/sdk.js" integrity="${files['/sdk.js']}" crossorigin="anonymous" data-site-key="${server.demoSiteKey}" data-widget data-e2ee async></script>`;
  for (let i = 0; i < 100 && (await snippet.inputValue()) !== expected; i++) await page.waitForTimeout(50);
  assert.equal(await snippet.inputValue(), expected);

  // A customer page with that snippet: the browser checks the hash and runs the SDK.
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${server.url}/healthz`); // same origin, no SDK on the page
  await customer.setContent(`<!doctype html><p>Shop</p>${expected.replace(' data-widget', '')}`);
  await customer.waitForFunction('typeof window.Samepage === "object"');
  // With a wrong hash it does not run (fail closed).
  const tampered = await (await browser.newContext()).newPage();
  await tampered.goto(`${server.url}/healthz`);
  await tampered.setContent(`<!doctype html>${expected.replace(/sha384-[^"]+/, 'sha384-' + 'A'.repeat(64))}`);
  await tampered.waitForLoadState('load');
  assert.equal(await tampered.evaluate('typeof window.Samepage'), 'undefined', 'a build other than the pinned one does not run');
});

/**
 * TLS end to end (issue 4): the server serves HTTPS and WSS itself with a self-signed
 * certificate made at test time; the demo shop and the console work over it in Chromium.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeSelfSignedCert } from '@samepage/server';
import { launchChromium } from './support/browser.ts';
import { ConsolePage } from './support/console-page.ts';
import { CustomerPage } from './support/customer-page.ts';
import { withServer } from './support/server.ts';

test('over HTTPS and WSS the customer starts a session on the demo shop and the agent joins it in the console', async (t) => {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const cert = makeSelfSignedCert();
  t.after(() => cert.remove());
  const server = await withServer(t, { TLS_CERT: cert.certPath, TLS_KEY: cert.keyPath });
  assert.match(server.url, /^https:/);

  const customer = new CustomerPage(await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage());
  const agentContext = await browser.newContext({ ignoreHTTPSErrors: true });
  const agent = new ConsolePage(await agentContext.newPage(), server.url);
  const sockets: string[] = [];
  for (const page of [customer.page, agent.page]) page.on('websocket', (ws) => sockets.push(ws.url()));

  await customer.open(`${server.url}/product.html`);
  const code = await customer.startSession();
  await agent.login(server.admin.email, server.admin.password);
  await agent.join(code);
  await agent.waitForReplicaText('Ridge Shell Jacket');

  assert.ok(sockets.length >= 2 && sockets.every((url) => url.startsWith('wss://')), `every socket is WSS: ${sockets.join(', ')}`);
  const cookie = (await agentContext.cookies(server.url)).find((c) => c.name === 'sp_session');
  assert.equal(cookie?.secure, true, 'the login cookie is Secure over HTTPS');
  assert.equal(cookie?.httpOnly, true);
  const response = await agent.page.goto(`${server.url}/console/`);
  assert.match(response?.headers()['strict-transport-security'] ?? '', /max-age=\d+/);
});

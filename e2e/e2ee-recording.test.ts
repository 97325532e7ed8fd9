/**
 * Encrypted recordings, end to end (issue 9, docs/E2EE.md "Recordings"). An admin generates the
 * tenant's recording key in the console (the key pair is made in the browser; the private key
 * file is downloaded and never sent to the server; the public key is registered). An encrypted
 * session on a recorded site is then stored as ciphertext plus each epoch secret wrapped to that
 * key: no canary of the page or the chat is found in any frame, stored row, database file or log
 * line. The console's player says that the recording is encrypted and plays nothing without the
 * key, refuses another key, and with the right key file replays the page.
 *
 * Real server (teed), real Chromium for the admin, the agent and the customer, a real SQLite file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { generateRecordingKeyPair } from '@samepage/protocol';
import { createUser, eventually, openConsole, openCustomer, withBrowser } from './support/collab.ts';
import { cacheSources, findCanaries, frameSources, makeCanaries, startCanarySite, startTappedServer, storageSources } from './support/e2ee-harness.ts';
import { chatBothWays, verifyAgent } from './support/e2ee-pages.ts';

const AGENT = 'Ann Agent';
const LOCKED = 'This recording is end-to-end encrypted; load your tenant recording key to play it.';

/** The replayed document's HTML and input values (a string: tsx helpers do not exist in the page). */
const REPLAYED = `(() => {
  const doc = window.__samepageRecording?.document();
  if (!doc || !doc.documentElement) return null;
  return doc.documentElement.outerHTML + ' ' + Array.from(doc.querySelectorAll('input, textarea')).map((el) => el.value).join(' ');
})()`;

test('an encrypted session is recorded as ciphertext with keys wrapped to the tenant key made in the admin’s browser; the player needs that key file and then replays the page', async (t) => {
  const browser = await withBrowser(t);
  const server = await startTappedServer(t);
  const canaries = makeCanaries();
  const shop = await startCanarySite(t, server, canaries, { e2ee: true, recordSessions: true });

  // The admin generates the key in the console; the file is downloaded, only the public key goes up.
  const admin = await openConsole(browser, server, { email: server.admin.email, password: server.admin.password, name: 'Admin', role: 'admin' });
  const uploads: string[] = [];
  admin.page.on('request', (request) => uploads.push(`${request.method()} ${request.url()} ${request.postData() ?? ''}`));
  await admin.page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Sites', exact: true }).click();
  const card = admin.page.getByTestId('recording-key-card');
  await card.getByText('No recording key is registered').waitFor({ timeout: 10_000 });
  await card.getByRole('button', { name: 'Generate a recording key' }).click();
  const [download] = await Promise.all([admin.page.waitForEvent('download'), card.getByRole('link', { name: 'Save the private key file' }).click()]);
  assert.match(download.suggestedFilename(), /^samepage-recording-key-\d{4}-\d\d-\d\d\.json$/);
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'samepage-key-')), download.suggestedFilename());
  await download.saveAs(keyFile);
  t.after(() => fs.rmSync(path.dirname(keyFile), { recursive: true, force: true }));
  await card.getByText('The recording key is registered').waitFor({ timeout: 10_000 });
  const file = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { publicKey: string; privateKey: { d: string } };
  assert.equal(await card.getByTestId('recording-key-registered').getAttribute('data-public-key'), file.publicKey, 'the public half is registered');
  assert.ok(file.privateKey.d.length > 40, 'the file holds the private key');
  assert.deepEqual(uploads.filter((u) => u.includes(file.privateKey.d)), [], 'the private key never left the browser');

  // An encrypted session on the recorded site: verified by codes, the page read live, chat both ways.
  const user = await createUser(server, 'senior_agent', AGENT);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, user);
  await customer.open(shop.pageUrl);
  const code = await customer.startSession();
  await agent.join(code);
  await verifyAgent(customer, agent, AGENT);
  await agent.waitForReplicaText(canaries.text, { timeout: 15_000 });
  await chatBothWays(customer, agent, canaries.chatFromCustomer, canaries.chatFromAgent);
  // The page load's epoch and the join's: both wrapped and uploaded by the tab.
  const wrappedKeys = () => server.store.db.selectFrom('recording_keys').select(['epoch', 'wrapped']).execute();
  await eventually(async () => (await wrappedKeys()).length >= 2, true, 'two wrapped epoch keys stored', 10_000);
  const cache = cacheSources(server);
  await customer.stop();
  await eventually(async () => storageSources(server).some(([where]) => where.startsWith('table recording_chunks')), true, 'recorded frames stored', 10_000);

  // The server holds ciphertext and wrapped keys only: no canary anywhere, in any form.
  const sources = [...frameSources(server), ...cache, ...storageSources(server), ...server.logs.map((line, i): [string, string] => [`log line #${i}`, line])];
  assert.deepEqual(findCanaries(sources, Object.values(canaries)), []);
  for (const { wrapped } of await wrappedKeys()) assert.equal(Buffer.from(wrapped, 'base64url').byteLength, 114, 'version, ephemeral key, sealed secret');

  // Without the key: the message, and no player.
  await admin.page.goto(`${server.url}/console`);
  await admin.page.getByRole('region', { name: 'Recordings' }).getByRole('link', { name: /^Recording of Canary shop/ }).first().click();
  await admin.page.getByText(LOCKED).waitFor({ timeout: 10_000 });
  assert.equal(await admin.page.getByRole('slider', { name: 'Position' }).count(), 0, 'nothing plays without the key');

  // Another tenant key does not open it.
  const other = path.join(path.dirname(keyFile), 'other.json');
  fs.writeFileSync(other, (await generateRecordingKeyPair()).file);
  const input = admin.page.getByLabel('Tenant recording key file');
  await input.setInputFiles(other);
  await admin.page.getByRole('alert').getByText('This key does not open this recording').waitFor({ timeout: 10_000 });
  assert.equal(await admin.page.getByRole('slider', { name: 'Position' }).count(), 0);

  // The right key file: decrypted in the tab, and the replayed page shows the customer's page.
  await input.setInputFiles(keyFile);
  const position = admin.page.getByRole('slider', { name: 'Position' });
  await position.waitFor({ timeout: 20_000 });
  await admin.page.getByText(/^Decrypted in this browser with your recording key/).waitFor();
  await position.focus();
  await position.press('End');
  await eventually(async () => {
    const html = ((await admin.page.evaluate(REPLAYED)) as string | null) ?? '';
    return [canaries.text, canaries.attribute, canaries.input].every((c) => html.includes(c));
  }, true, 'the replayed page shows the page text, the attribute and the allowed input', 15_000);
});

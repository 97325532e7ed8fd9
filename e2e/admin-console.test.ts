/**
 * The admin console, end to end (issue 4): a real server on port 0 and the console in real
 * Chromium, driven by role and label. Users and seats, the permission matrix, a site's
 * redaction rules with the live preview, policies, usage, the audit log and its CSV export;
 * and an agent who sees none of it and whose cookie the admin API refuses.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { hashPassword } from '@samepage/server';
import { launchChromium } from './support/browser.ts';
import { ConsolePage } from './support/console-page.ts';
import { withServer, type TestServer } from './support/server.ts';

async function withBrowser(t: TestContext): Promise<Browser> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  return browser;
}

/** Polls until `check` holds (playwright-core has no `expect`). */
async function until(what: string, check: () => Promise<boolean>, timeout = 5_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const textOf = (locator: Locator) => locator.textContent().then((s) => (s ?? '').trim());

async function openAdmin(browser: Browser, server: TestServer): Promise<{ page: Page; tenantId: string }> {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  const admin = new ConsolePage(page, server.url);
  await admin.login(server.admin.email, server.admin.password);
  const me = await server.store.findUserByEmail(server.admin.email);
  assert.ok(me);
  return { page, tenantId: me.tenantId };
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name, exact: true }).click();

test('an admin adds agents up to the seat limit, builds a custom role in the matrix and assigns it', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const { page, tenantId } = await openAdmin(browser, server);
  // The admin holds one of the two seats.
  await server.tenants.setPlan(tenantId, { kind: 'seats', limit: 2 });

  await nav(page, 'Users & roles');
  const addUser = page.getByRole('form', { name: 'Add user' });
  const add = async (email: string, name: string) => {
    await addUser.getByLabel('Email').fill(email);
    await addUser.getByLabel('Name').fill(name);
    await addUser.getByLabel('Role').selectOption('agent');
    await addUser.getByLabel('Password').fill('a long enough password');
    await addUser.getByRole('button', { name: 'Add user' }).click();
  };
  await add('alice@example.test', 'Alice Agent');
  await page.getByRole('row', { name: /Alice Agent/ }).waitFor();
  assert.equal(await addUser.getByRole('status').textContent(), 'Alice Agent was added.');

  await add('bob@example.test', 'Bob Agent');
  const seatError = addUser.getByRole('alert');
  await seatError.waitFor();
  assert.match(await textOf(seatError), /No seat left.*All agent seats of your plan are in use/);
  assert.equal(await server.store.findUserByEmail('bob@example.test'), null);

  // Built-in roles are read-only in the matrix.
  assert.equal(await page.getByLabel('session.control for Agent', { exact: true }).isDisabled(), true);
  assert.equal(await page.getByLabel('session.control for Senior agent', { exact: true }).isChecked(), true);

  const newRole = page.getByRole('form', { name: 'New role' });
  await newRole.getByLabel('Key').fill('team_lead');
  await newRole.getByLabel('Title').fill('Team lead');
  await newRole.getByRole('button', { name: 'Create role' }).click();
  const leadControl = page.getByLabel('session.control for Team lead', { exact: true });
  await leadControl.waitFor();
  assert.equal(await leadControl.isChecked(), false);
  for (const permission of ['session.view', 'session.control', 'audit.view']) await page.getByLabel(`${permission} for Team lead`, { exact: true }).check();
  await page.getByRole('button', { name: 'Save Team lead' }).click();
  await until('the role to be saved', async () => (await server.collab.resolveRole(tenantId, 'team_lead')).permissions.length === 3);
  assert.deepEqual((await server.collab.resolveRole(tenantId, 'team_lead')).permissions.sort(), ['audit.view', 'session.control', 'session.view']);

  await page.getByLabel('Role for Alice Agent').selectOption('team_lead');
  await until('the role to be assigned', async () => (await server.store.findUserByEmail('alice@example.test'))?.role === 'team_lead');

  // Disabling frees the seat; enabling again past the limit is refused with the seat message.
  await page.getByRole('button', { name: 'Disable Alice Agent' }).click();
  await page.getByRole('button', { name: 'Enable Alice Agent' }).waitFor();
  await add('bob@example.test', 'Bob Agent');
  await page.getByRole('row', { name: /Bob Agent/ }).waitFor();
  await page.getByRole('button', { name: 'Enable Alice Agent' }).click();
  await until('the seat error on enable', async () => /All agent seats/.test(await textOf(page.getByRole('alert').first())));
  assert.equal((await server.store.findUserByEmail('alice@example.test'))?.disabled, true);
});

test('an admin edits a site’s redaction rules with the live preview, toggles a policy, and finds both in usage and audit', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const { page, tenantId } = await openAdmin(browser, server);
  await server.tenants.setPlan(tenantId, { kind: 'seats', limit: 7 });

  await nav(page, 'Sites');
  const snippet = page.getByLabel('Embed snippet', { exact: true });
  assert.equal(await snippet.inputValue(), `<script src="${new URL(server.url).origin}/sdk.js" data-site-key="${server.demoSiteKey}" data-widget async></script>`);
  assert.equal(await page.getByLabel('Site key', { exact: true }).inputValue(), server.demoSiteKey);

  // The preview applies the (unsaved) rules with the SDK's own decisions.
  const preview = page.frameLocator('iframe[title="Redaction preview"]');
  await until('the default masks', async () => (await preview.locator('input[name=password]').getAttribute('value')) === '••••••');
  assert.equal(await preview.locator('input[name=cardNumber]').getAttribute('value'), '••••••');
  assert.equal(await textOf(preview.locator('.account-number')), 'Account 4411 2290 7781');
  await page.getByLabel('Redact selectors').fill('.account-number');
  await page.getByLabel('Block selectors').fill('.internal-notes');
  await page.getByLabel('Allow selectors').fill('.coupon');
  await until('the redacted paragraph', async () => (await textOf(preview.locator('.account-number'))) === '▇▇▇▇');
  await until('the blocked box', async () => (await preview.locator('.internal-notes').getAttribute('data-preview-blocked')) === '');
  assert.equal(await textOf(preview.locator('.internal-notes')), '');
  assert.equal(await preview.locator('input[name=coupon]').getAttribute('value'), 'SPRING10');
  assert.equal(await preview.locator('input[name=email]').getAttribute('value'), '••••••');

  await page.getByLabel('Friend invites allowed').check();
  await page.getByRole('button', { name: 'Save site' }).click();
  await page.getByText('Site saved.').waitFor();

  await page.reload();
  await page.getByLabel('Redact selectors').waitFor();
  assert.equal(await page.getByLabel('Friend invites allowed').isChecked(), true);
  assert.equal(await page.getByLabel('Redact selectors').inputValue(), '.account-number');
  const site = await server.store.findSiteByKey(server.demoSiteKey);
  assert.deepEqual(site?.redaction, { redact: ['.account-number'], block: ['.internal-notes'], allow: ['.coupon'] });
  assert.equal(site?.policy.allowGuests, true);

  await nav(page, 'Plan & usage');
  await page.getByTestId('plan').waitFor();
  assert.equal(await textOf(page.getByTestId('plan')), 'Seats: 7');
  const seats = page.getByRole('meter', { name: 'Seats used' });
  assert.equal(await seats.getAttribute('aria-valuenow'), '1');
  assert.equal(await seats.getAttribute('aria-valuemax'), '7');
  await page.getByRole('heading', { name: 'Peak concurrent sessions per day' }).waitFor();
  await page.getByRole('heading', { name: 'Sessions per month' }).waitFor();

  await nav(page, 'Audit log');
  await page.getByRole('cell', { name: 'login.succeeded' }).first().waitFor();
  await page.getByLabel('Action starts with').fill('site.');
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await until('the filtered table', async () => {
    const actions = await page.locator('code.action').allTextContents();
    return actions.length === 2 && actions.every((a) => a.startsWith('site.'));
  });
  assert.deepEqual((await page.locator('code.action').allTextContents()).sort(), ['site.policy_update', 'site.redaction_update']);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  assert.equal(download.suggestedFilename(), 'samepage-audit.csv');
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 'id,at,time,tenant,actor_type,actor_id,action,session,detail');
  assert.equal(lines.length, 3);
  assert.ok(lines.slice(1).every((line) => /,site\.(policy|redaction)_update,/.test(line)), csv);
  assert.ok(!csv.includes('login.succeeded'));
});

test('an admin sets the widget theme; the preview follows as they type, and the theme is saved with the site', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const { page } = await openAdmin(browser, server);
  await nav(page, 'Sites');
  const previewHost = page.locator('section[aria-label="Widget preview"] figure').first().locator('[aria-hidden="true"] > div');
  await previewHost.waitFor({ state: 'attached' });
  const launcher = previewHost.locator('.sp-btn').first();
  await launcher.waitFor();
  const background = () => launcher.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(await background(), 'rgb(37, 99, 235)', 'Samepage blue by default');

  await page.getByLabel('Brand colour').fill('#0f766e');
  await page.getByLabel('Logo URL').fill('https://shop.example.com/logo.png');
  await page.getByLabel('Position').selectOption({ label: 'Top left' });
  await page.getByLabel('Mode').selectOption({ label: 'Dark' });
  await until('the preview in the brand colour', async () => (await background()) === 'rgb(15, 118, 110)');
  await until('the preview in the top-left corner, dark', async () => (await previewHost.getAttribute('data-pos')) === 'top-left' && (await previewHost.getAttribute('data-mode')) === 'dark');

  await page.getByRole('button', { name: 'Save site' }).click();
  await page.getByText('Site saved.').waitFor();
  const site = await server.store.findSiteByKey(server.demoSiteKey);
  assert.deepEqual(site?.policy.theme, { brandColor: '#0f766e', logoUrl: 'https://shop.example.com/logo.png', position: 'top-left', mode: 'dark' });

  await page.reload();
  await page.getByLabel('Brand colour').waitFor();
  assert.equal(await page.getByLabel('Brand colour').inputValue(), '#0f766e');
  assert.equal(await page.getByLabel('Position').inputValue(), 'top-left');
  assert.equal(await page.getByLabel('Mode').inputValue(), 'dark');

  // A bad colour is refused by the server, with its message; emptying every field removes the theme.
  await page.getByLabel('Brand colour').fill('teal');
  await page.getByRole('button', { name: 'Save site' }).click();
  await page.getByText(/brand colour is like #1a73e8/).waitFor();
  for (const label of ['Brand colour', 'Logo URL']) await page.getByLabel(label).fill('');
  await page.getByLabel('Position').selectOption('');
  await page.getByLabel('Mode').selectOption('');
  await page.getByRole('button', { name: 'Save site' }).click();
  await page.getByText('Site saved.').waitFor();
  assert.equal((await server.store.findSiteByKey(server.demoSiteKey))?.policy.theme, undefined);
});

test('an agent sees no admin navigation, and the admin API refuses the agent’s cookie', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const admin = await server.store.findUserByEmail(server.admin.email);
  assert.ok(admin);
  const password = 'an agent password';
  await server.store.createUser({ tenantId: admin.tenantId, email: 'agent@example.test', name: 'Ada Agent', role: 'agent', passwordHash: await hashPassword(password) });

  const page = await (await browser.newContext()).newPage();
  const agent = new ConsolePage(page, server.url);
  await agent.login('agent@example.test', password);
  assert.equal(await page.getByRole('navigation', { name: 'Administration' }).count(), 0);
  for (const name of ['Users & roles', 'Sites', 'Plan & usage', 'Audit log', 'Retention']) assert.equal(await page.getByRole('link', { name }).count(), 0, name);

  // Typing the address shows a refusal, not the page.
  await page.goto(new URL('/console/admin/users', server.url).href);
  await page.getByText('Your role does not allow this page.').waitFor();
  assert.equal(await page.getByRole('table').count(), 0);

  const cookie = await agent.sessionCookie();
  const get = (path: string) => fetch(new URL(path, server.url), { headers: { cookie } });
  for (const path of ['/api/users', '/api/roles', '/api/sites', '/api/audit', '/api/audit?format=csv', '/api/usage', '/api/settings/retention']) {
    const res = await get(path);
    assert.equal(res.status, 403, path);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'forbidden', path);
  }
  const me = (await (await get('/api/auth/me')).json()) as { user: { permissions: string[] } };
  assert.ok(me.user.permissions.includes('session.view'));
  assert.ok(!me.user.permissions.some((p) => ['users.manage', 'roles.manage', 'sites.manage', 'audit.view', 'billing.view'].includes(p)));
});

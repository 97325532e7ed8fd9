/**
 * Shared setup for the collaboration tests (issue 3): browsers, users with a role, and a
 * customer's tab in a session that an agent's console has joined.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Browser, BrowserContextOptions, Page, WebSocketRoute } from 'playwright-core';
import { hashPassword } from '@samepage/server';
import { launchChromium } from './browser.ts';
import { ConsolePage } from './console-page.ts';
import { CustomerPage } from './customer-page.ts';
import { tenantIdOf } from './fixture-site.ts';
import type { TestServer } from './server.ts';

export interface TestUser {
  email: string;
  password: string;
  name: string;
  role: string;
}

/** Launch before starting the server: t.after hooks run in order, so the browser closes first. */
export async function withBrowser(t: TestContext): Promise<Browser> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  return browser;
}

let userCount = 0;

export async function createUser(server: TestServer, role: 'agent' | 'senior_agent' | 'supervisor' | 'admin', name: string): Promise<TestUser> {
  const email = `${role}.${++userCount}.${Date.now().toString(36)}@example.test`;
  const password = 'correct horse battery';
  await server.store.createUser({ tenantId: await tenantIdOf(server), email, name, role, passwordHash: await hashPassword(password) });
  return { email, password, name, role };
}

const CUSTOMER_VIEWPORT = { width: 1000, height: 700 };

export async function openCustomer(browser: Browser, options: BrowserContextOptions = {}): Promise<CustomerPage> {
  const context = await browser.newContext({ viewport: CUSTOMER_VIEWPORT, ...options });
  return new CustomerPage(await context.newPage());
}

/** A console in its own browser context, logged in through the sign-in form. */
export async function openConsole(browser: Browser, server: TestServer, user: TestUser): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const agent = new ConsolePage(await context.newPage(), server.url);
  await agent.login(user.email, user.password);
  return agent;
}

/** The customer opens `url`, starts a session, and the agent joins it and sees `ready` in the replica. */
export async function startAndJoin(customer: CustomerPage, agent: ConsolePage, url: string, ready: string): Promise<string> {
  await customer.open(url);
  const code = await customer.startSession();
  assert.match(code, /^\d{6}$/);
  await agent.join(code);
  await agent.waitForReplicaText(ready);
  return code;
}

/** The agent asks for control and the customer allows it. */
export async function grantControl(customer: CustomerPage, agent: ConsolePage, agentName: string): Promise<void> {
  await agent.requestControl();
  await customer.answerControl(agentName, 'Allow');
  await customer.banner().getByText(`${agentName} is controlling this tab`).waitFor({ timeout: 5_000 });
  await agent.waitInControl();
}

/** Polls `read` until it returns `expected` (deepEqual), or fails with the last value. */
export async function eventually<T>(read: () => Promise<T>, expected: T, what: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: T = await read();
  while (!isDeepEqual(last, expected)) {
    if (Date.now() > until) assert.deepEqual(last, expected, what);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Puts the page's sockets to the Samepage server behind Playwright's WebSocket routing, so a
 * test can cut the connection as a network drop would (the server sees the socket close; the
 * page's retries get nowhere) and bring it back. Call before the page opens its sockets.
 * (`context.setOffline` is not enough: Chromium stops the traffic but the server never sees a
 * close, and the relay has no keepalive to notice.)
 */
export async function cuttableConnection(page: Page): Promise<{ cut(): Promise<void>; restore(): Promise<void> }> {
  let down = false;
  const live = new Set<{ page: WebSocketRoute; server: WebSocketRoute | null }>();
  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    const entry = { page: ws, server: down ? null : ws.connectToServer() };
    live.add(entry);
  });
  return {
    async cut() {
      down = true;
      for (const entry of [...live]) {
        live.delete(entry);
        await entry.server?.close({ code: 3000, reason: 'network drop' });
        await entry.page.close({ code: 3000, reason: 'network drop' });
      }
    },
    async restore() {
      down = false;
      // Sockets opened while down hang without a server; close them so the page retries.
      for (const entry of [...live]) {
        if (entry.server) continue;
        live.delete(entry);
        await entry.page.close({ code: 3000, reason: 'network back' });
      }
    },
  };
}

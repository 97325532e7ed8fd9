/**
 * Shared setup for the widget tests (issue 8): one server, one browser, an agent online (with
 * nobody online the widget offers "Leave a message" instead of "Get help"), agents joining from
 * the console, and helpers to read the widget's shadow root.
 */
import type { TestContext } from 'node:test';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { startServer } from '@samepage/server';
import { launchChromium } from './browser.ts';
import { ConsolePage } from './console-page.ts';
import { CustomerPage } from './customer-page.ts';
import { createUser, type TestUser } from './collab.ts';
import { socketUrl, type TestServer } from './server.ts';
import { openSocket, type RawSocket } from './socket-client.ts';

export interface WidgetEnv {
  server: TestServer;
  browser: Browser;
  agent: TestUser;
  /** Context-like object for helpers that register cleanups with `t.after`. */
  t: TestContext;
  close(): Promise<void>;
}

export async function widgetEnv(): Promise<WidgetEnv> {
  const cleanups: (() => unknown)[] = [];
  const browser = await launchChromium();
  const server = await startServer({ env: {}, log: false });
  const agent = await createUser(server, 'senior_agent', 'Sam Rivera');
  const online = await keepAgentOnline(server, agent.email, agent.password);
  cleanups.push(() => online.close());
  const t = { after: (fn: () => unknown) => void cleanups.push(fn) } as unknown as TestContext;
  return {
    server,
    browser,
    agent,
    t,
    async close() {
      await browser.close();
      for (const fn of cleanups.reverse()) await fn();
      await server.close();
    },
  };
}

/**
 * A console socket of this agent, so that the tenant has an agent online (the widget then offers
 * "Get help", a live session). Close it to go offline.
 */
export async function keepAgentOnline(server: Pick<TestServer, 'url'>, email: string, password: string): Promise<RawSocket> {
  const res = await fetch(new URL('/api/auth/login', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1' },
    body: JSON.stringify({ email, password }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith('sp_session='));
  if (res.status !== 200 || !cookie) throw new Error(`login of ${email}: HTTP ${res.status}`);
  const socket = await openSocket(socketUrl(server), { origin: server.url.replace(/\/$/, ''), cookie });
  socket.send({ type: 'agent_hello', v: 1 });
  await socket.next('welcome');
  return socket;
}

export async function openCustomerPage(env: WidgetEnv, options: BrowserContextOptions = {}): Promise<CustomerPage> {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 720 }, ...options });
  return new CustomerPage(await context.newPage());
}

/** An agent's console, signed in through the API, that joins `code` and waits for `ready` in the replica. */
export async function agentJoins(env: WidgetEnv, code: string, ready: string, beforeJoin?: (page: Page) => void): Promise<ConsolePage> {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const agent = new ConsolePage(await context.newPage(), env.server.url);
  beforeJoin?.(agent.page);
  await agent.loginByApi(env.agent.email, env.agent.password);
  await agent.page.goto(new URL('/console', env.server.url).href);
  await agent.page.getByLabel('Session code').waitFor();
  await agent.join(code);
  await agent.waitForReplicaText(ready);
  return agent;
}

/** The widget's host element (Playwright locators pierce its open shadow root). */
export const widget = (page: Page): Locator => page.locator('samepage-widget');

/** Waits until the widget shows its code card and returns the code. */
export async function readCode(page: Page): Promise<string> {
  const code = widget(page).locator('.sp-code span[aria-hidden]');
  await code.waitFor({ timeout: 10_000 });
  return ((await code.textContent()) ?? '').replace(/\D/g, '');
}

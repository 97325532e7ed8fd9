/**
 * Shared setup for the widget tests (issue 8): one server, one browser, agents joining from
 * the console, and helpers to read the widget's shadow root.
 */
import type { TestContext } from 'node:test';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { startServer } from '@samepage/server';
import { launchChromium } from './browser.ts';
import { ConsolePage } from './console-page.ts';
import { CustomerPage } from './customer-page.ts';
import { createUser, type TestUser } from './collab.ts';
import type { TestServer } from './server.ts';

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

import type { Locator, Page } from 'playwright-core';
import { pollUntil } from './engines/types.ts';

/** What the console exposes for tests (packages/console, replica test hook). */
interface ReplicaHook {
  document(): Document | null;
}
type ConsoleWindow = Window & { __samepageReplica?: ReplicaHook };

/** Everything the replica holds, as the agent's browser has it. */
export interface ReplicaContents {
  /** outerHTML of the replica document, its open shadow roots and same-origin frames. */
  html: string;
  /** The live `.value` of every input, textarea and select (outerHTML does not show them). */
  values: string[];
  /** The rendered text (innerText) of the body. */
  text: string;
}

/**
 * The agent console, driven by role and label as a person would.
 *
 * @example
 *   const agent = new ConsolePage(page, server.url);
 *   await agent.login(server.admin.email, server.admin.password);
 *   await agent.join(code);
 *   await agent.waitForReplicaText('Checkout');
 */
export class ConsolePage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async login(email: string, password: string): Promise<void> {
    await this.page.goto(new URL('/console', this.baseUrl).href);
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.getByLabel('Session code').waitFor();
  }

  async join(code: string): Promise<void> {
    await this.page.getByLabel('Session code').fill(code);
    await this.page.getByRole('button', { name: 'Join', exact: true }).click();
  }

  /** The value of the console's login cookie, for raw socket clients. */
  async sessionCookie(): Promise<string> {
    const cookies = await this.page.context().cookies(this.baseUrl);
    const cookie = cookies.find((c) => c.name === 'sp_session');
    if (!cookie) throw new Error(`no sp_session cookie after login (cookies: ${cookies.map((c) => c.name).join(', ') || 'none'})`);
    return `${cookie.name}=${cookie.value}`;
  }

  async replica(): Promise<ReplicaContents | null> {
    return this.page.evaluate(readReplica);
  }

  /** Waits until the replica's rendered text contains `text`. */
  async waitForReplicaText(text: string, options: { timeout?: number } = {}): Promise<void> {
    await this.page.waitForFunction(
      (wanted) => {
        const doc = (window as ConsoleWindow).__samepageReplica?.document();
        const body = doc?.body;
        return !!body && (body.innerText || body.textContent || '').includes(wanted);
      },
      text,
      { timeout: options.timeout ?? 10_000 },
    );
  }

  /** Waits until the replica's form field matching `selector` has the value `value`. */
  async waitForReplicaValue(selector: string, value: string, options: { timeout?: number } = {}): Promise<void> {
    await this.page.waitForFunction(
      ([sel, wanted]) => {
        const doc = (window as ConsoleWindow).__samepageReplica?.document();
        const field = doc?.querySelector(sel) as HTMLInputElement | HTMLTextAreaElement | null | undefined;
        return field?.value === wanted;
      },
      [selector, value] as const,
      { timeout: options.timeout ?? 10_000 },
    );
  }

  /** Logs in through the API (faster than the form; the tests of the form are in core.test.ts). */
  async loginByApi(email: string, password: string): Promise<void> {
    const res = await this.page.context().request.post(new URL('/api/auth/login', this.baseUrl).href, {
      data: { email, password },
      headers: { 'x-samepage-csrf': '1' },
    });
    if (res.status() !== 200) throw new Error(`login of ${email}: HTTP ${res.status()}`);
  }

  button(name: string | RegExp): Locator {
    return this.page.getByRole('button', { name, exact: typeof name === 'string' });
  }

  controlState(): Locator {
    return this.page.getByTestId('control-state');
  }

  notices(): Locator {
    return this.page.getByTestId('notices');
  }

  /** The transparent layer over the replica that takes the agent's input. */
  inputLayer(): Locator {
    return this.page.getByTestId('replica-input');
  }

  async requestControl(): Promise<void> {
    await this.button('Request control').click();
    await this.controlState().getByText('Waiting for the customer…').waitFor({ timeout: 5_000 });
  }

  /** Waits until this agent is in control (the layer over the replica becomes the control surface). */
  async waitInControl(): Promise<void> {
    await this.page.getByRole('application', { name: /your clicks, keys and scrolling act on it/ }).waitFor({ timeout: 5_000 });
  }

  async tool(name: 'Pointer' | 'Laser' | 'Draw' | 'Highlight'): Promise<void> {
    await this.page.getByRole('toolbar', { name: 'Drawing tools' }).getByRole('button', { name, exact: true }).click();
  }

  /**
   * Where a point of a replica element is on the console page: `at` is a fraction of its box
   * (0.5, 0.5 = the middle), or `dx`/`dy` px of the customer's page from its top left corner.
   */
  async replicaPoint(selector: string, at: { fx?: number; fy?: number; dx?: number; dy?: number } = {}): Promise<{ x: number; y: number }> {
    const point = await this.page.evaluate(
      ([sel, a]) => {
        const doc = (window as ConsoleWindow).__samepageReplica?.document();
        const el = doc?.querySelector(sel);
        const layer = document.querySelector('[data-testid="replica-input"]');
        const frame = document.querySelector<HTMLElement>('[data-testid="replica"]');
        if (!el || !layer || !frame) return null;
        const scale = Number(frame.dataset.scale);
        const box = el.getBoundingClientRect();
        const origin = layer.getBoundingClientRect();
        const x = box.left + (a.dx ?? box.width * (a.fx ?? 0.5));
        const y = box.top + (a.dy ?? box.height * (a.fy ?? 0.5));
        return { x: origin.left + x * scale, y: origin.top + y * scale };
      },
      [selector, at] as const,
    );
    if (!point) throw new Error(`no "${selector}" in the replica (or no replica)`);
    return point;
  }

  /** Clicks (or double-clicks) an element of the replica, as the agent would with the mouse. */
  async clickReplica(selector: string, options: { double?: boolean } = {}): Promise<void> {
    const { x, y } = await this.replicaPoint(selector);
    if (options.double) await this.page.mouse.dblclick(x, y);
    else await this.page.mouse.click(x, y);
  }

  /** Drags over the replica from one point to another (drawing tools), in small steps. */
  async dragReplica(from: { x: number; y: number }, to: { x: number; y: number }, steps = 8): Promise<void> {
    await this.page.mouse.move(from.x, from.y);
    await this.page.mouse.down();
    await this.page.mouse.move(to.x, to.y, { steps });
    await this.page.mouse.up();
  }

  /** The text of the replica element matching `selector` (null if none). */
  async replicaTextOf(selector: string): Promise<string | null> {
    return this.page.evaluate((sel) => {
      const el = (window as ConsoleWindow).__samepageReplica?.document()?.querySelector(sel);
      return el ? (el.textContent ?? '') : null;
    }, selector);
  }

  /** Waits until the replica element matching `selector` has exactly this text. */
  async waitForReplicaTextAt(selector: string, text: string, options: { timeout?: number } = {}): Promise<void> {
    try {
      await this.page.waitForFunction(
        ([sel, wanted]) => (window as ConsoleWindow).__samepageReplica?.document()?.querySelector(sel)?.textContent === wanted,
        [selector, text] as const,
        { timeout: options.timeout ?? 10_000 },
      );
    } catch (error) {
      throw new Error(`replica ${selector} never showed "${text}" (it shows "${await this.replicaTextOf(selector)}")`, { cause: error });
    }
  }

  participants(): Locator {
    return this.page.getByTestId('participant');
  }

  hostState(): Locator {
    return this.page.getByTestId('host-state');
  }

  async sendChat(text: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Message' }).fill(text);
    await this.page.getByRole('button', { name: 'Send', exact: true }).click();
  }

  chatMessages(): Locator {
    return this.page.getByRole('list', { name: 'Conversation' }).getByTestId('chat-message');
  }

  async replicaValue(selector: string): Promise<string | null> {
    return this.page.evaluate((sel) => {
      const doc = (window as ConsoleWindow).__samepageReplica?.document();
      const field = doc?.querySelector(sel) as HTMLInputElement | HTMLTextAreaElement | null | undefined;
      return field ? field.value : null;
    }, selector);
  }
}

/**
 * Runs in the console page. Self-contained, and with no inner named functions: Playwright
 * sends its source, and tsx (esbuild keepNames) would wrap those in a `__name` helper that
 * does not exist in the page.
 */
function readReplica(): ReplicaContents | null {
  const doc = (window as ConsoleWindow).__samepageReplica?.document();
  if (!doc) return null;
  const html: string[] = [];
  const values: string[] = [];
  const roots: Array<Document | ShadowRoot> = [doc];
  for (let i = 0; i < roots.length; i++) {
    const root = roots[i] as Document | ShadowRoot;
    // nodeType, not instanceof: the replica's nodes belong to the iframe's realm
    html.push(root.nodeType === Node.DOCUMENT_NODE ? (root as Document).documentElement.outerHTML : (root as ShadowRoot).innerHTML);
    for (const el of Array.from(root.querySelectorAll('*'))) {
      if (el.shadowRoot) roots.push(el.shadowRoot);
      if (el.localName === 'iframe') {
        try {
          const inner = (el as HTMLIFrameElement).contentDocument;
          if (inner) roots.push(inner);
        } catch {
          // a cross-origin frame: the agent cannot read it either
        }
      }
      if (el.localName === 'input' || el.localName === 'textarea' || el.localName === 'select') {
        values.push((el as HTMLInputElement).value);
      }
    }
  }
  return { html: html.join('\n'), values, text: doc.body?.innerText ?? '' };
}

/**
 * Waits until `expression` is truthy in a console page, polling from here: the console's CSP
 * forbids the eval behind Playwright's waitForFunction, which re-evaluates a string predicate on
 * every poll (it passes only when the first evaluation, which CDP lets through, is already true).
 */
export async function waitForConsoleExpression(page: Page, expression: string, what: string, timeout = 10_000): Promise<void> {
  await pollUntil(() => page.evaluate(expression), what, timeout);
}

import type { Page } from 'playwright-core';

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

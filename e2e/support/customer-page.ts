import type { Locator, Page } from 'playwright-core';

/** The parts of `window.Samepage` the tests use (the SDK documents the full API). */
interface SamepageLike {
  startSession(): Promise<{ code: string }>;
  endSession(): Promise<void>;
}
type CustomerWindow = Window & { Samepage?: SamepageLike };

/**
 * The customer's tab on a site with the SDK embedded.
 *
 * @example
 *   const customer = new CustomerPage(page);
 *   await customer.open(`${server.url}/checkout.html`);
 *   const code = await customer.startSession();
 */
export class CustomerPage {
  /** Page errors, console errors and failed loads, for the message of a failed wait. */
  readonly problems: string[] = [];

  constructor(readonly page: Page) {
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') this.problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('requestfailed', (request) => this.problems.push(`failed: ${request.url()} (${request.failure()?.errorText ?? '?'})`));
    page.on('response', (response) => {
      if (response.status() >= 400) this.problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
  }

  /** Loads `url` and waits until the SDK's loader has set up `window.Samepage`. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.waitForSdk();
  }

  async waitForSdk(): Promise<void> {
    try {
      await this.page.waitForFunction(() => typeof (window as CustomerWindow).Samepage?.startSession === 'function', null, {
        timeout: 10_000,
      });
    } catch (error) {
      const seen = this.problems.length ? this.problems.join('; ') : 'no page errors, console errors or failed loads';
      throw new Error(`window.Samepage never appeared on ${this.page.url()}: ${seen}`, { cause: error });
    }
  }

  /** Starts a session through the JS API and returns its 6-digit code. */
  async startSession(): Promise<string> {
    const { code } = await this.page.evaluate(() => {
      const sdk = (window as CustomerWindow).Samepage;
      if (!sdk) throw new Error('window.Samepage is missing');
      return sdk.startSession();
    });
    return code;
  }

  /** Starts a session through the widget's "Get help" button and reads the code it shows. */
  async startSessionWithButton(): Promise<string> {
    await this.page.getByRole('button', { name: 'Get help' }).click();
    // The widget may show the code grouped for reading aloud ("123 456").
    const shown = this.widget().getByText(/\b\d{3}[\s-]?\d{3}\b/).first();
    await shown.waitFor();
    const text = (await shown.textContent()) ?? '';
    const code = /\b(\d{3})[\s-]?(\d{3})\b/.exec(text);
    if (!code) throw new Error(`no 6-digit code in the widget text "${text}"`);
    return `${code[1]}${code[2]}`;
  }

  /** The consent prompt for a control request from `agent`. */
  controlPrompt(agent: string): Locator {
    return this.page.getByRole('dialog', { name: `${agent} wants to control this tab` });
  }

  async answerControl(agent: string, answer: 'Allow' | 'Deny'): Promise<void> {
    const dialog = this.controlPrompt(agent);
    await dialog.waitFor({ timeout: 5_000 });
    await dialog.getByRole('button', { name: answer, exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
  }

  takeBackButton(): Locator {
    return this.page.getByRole('button', { name: 'Take back control' });
  }

  /** The widget's session banner. */
  banner(): Locator {
    return this.page.getByRole('region', { name: 'Samepage session' });
  }

  /** Opens the widget's chat panel (if closed) and sends a message with its form. */
  async sendChat(text: string): Promise<void> {
    const box = this.widget().getByRole('textbox', { name: 'Message' });
    if (!(await box.isVisible())) await this.banner().getByRole('button', { name: /^Chat/ }).click();
    await box.fill(text);
    await this.widget().getByRole('button', { name: 'Send', exact: true }).click();
  }

  /** Presses the widget's Stop button. */
  async stop(): Promise<void> {
    await this.stopButton().click();
  }

  stopButton(): Locator {
    return this.page.getByRole('button', { name: /^Stop( sharing)?$/i });
  }

  /** The widget's host element; Playwright's locators pierce its open shadow root. */
  widget(): Locator {
    return this.page.locator('samepage-widget');
  }

  /**
   * Appends a visible marker to the page. Because the DOM stream is ordered, once the agent's
   * replica shows the marker, everything the customer did before it has been sent.
   */
  async addMarker(text: string): Promise<void> {
    await this.page.evaluate((t) => {
      const marker = document.createElement('p');
      marker.className = 'e2e-marker';
      marker.textContent = t;
      document.body.append(marker);
    }, text);
  }
}

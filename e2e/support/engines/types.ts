/** The engine adapter's types (index.ts documents them). */
export type EngineName = 'chromium' | 'firefox' | 'webkit';
export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

export interface Viewport {
  width: number;
  height: number;
}

export interface WaitOptions {
  timeout?: number;
}

export interface EnginePage {
  readonly engine: EngineName;
  goto(url: string): Promise<void>;
  click(selector: string): Promise<void>;
  /** Types `text` key by key into the element matching `selector` (focusing it first). */
  type(selector: string, text: string): Promise<void>;
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<Awaited<R>>;
  /** Polls `fn` in the page until it returns a truthy value. */
  waitForFunction<A = undefined>(fn: (arg: A) => unknown, arg?: A, options?: WaitOptions): Promise<void>;
  /** A PNG of the viewport. */
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

export interface Engine {
  readonly name: EngineName;
  /** A new page (a fresh context where the engine has them) at `url`. */
  open(url: string, options?: { viewport?: Viewport }): Promise<EnginePage>;
  /** Closes every page and the browser, and kills helper processes. Safe to call twice. */
  close(): Promise<void>;
}

/** Polls `read` until it is truthy; `what` names it in the timeout error. */
export async function pollUntil(read: () => Promise<unknown>, what: string, timeout = 10_000, interval = 50): Promise<void> {
  const until = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      if (await read()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${what}`, lastError ? { cause: lastError } : {});
    await new Promise((r) => setTimeout(r, interval));
  }
}

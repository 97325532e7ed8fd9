/**
 * WebKit: webdriverio → WebKitWebDriver → MiniBrowser (WebKitGTK) on a private Xvfb display.
 * MiniBrowser has no headless mode, hence Xvfb. Both helper processes are killed in close(),
 * when launching fails half-way, and when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { remote } from 'webdriverio';
import { pollUntil, type Engine, type EnginePage, type WaitOptions } from './types.ts';

export const XVFB_PATH = '/usr/bin/Xvfb';
export const WEBKIT_DRIVER_PATH = '/usr/bin/WebKitWebDriver';
export const MINIBROWSER_PATH = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

export type WdioBrowser = Awaited<ReturnType<typeof remote>>;

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export async function stop(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}

/** Starts Xvfb on the first free display; it writes the number on fd 3 (-displayfd). */
export async function startXvfb(): Promise<{ process: ChildProcess; display: string }> {
  const xvfb = track(spawn(XVFB_PATH, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp', '-noreset'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] }));
  let stderr = '';
  xvfb.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb wrote no display number in 10 s: ${stderr}`)), 10_000);
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    xvfb.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code}): ${stderr}`));
    });
  });
  return { process: xvfb, display };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Xvfb plus WebKitWebDriver on a free port; `close` ends both. Cleans up if starting fails. */
export async function startWebKitDriver(): Promise<{ port: number; close(): Promise<void> }> {
  let xvfb: ChildProcess | null = null;
  let driver: ChildProcess | null = null;
  const close = async (): Promise<void> => {
    await stop(driver);
    await stop(xvfb);
  };
  try {
    const x = await startXvfb();
    xvfb = x.process;
    const port = await freePort();
    driver = track(spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`], { env: { ...process.env, DISPLAY: x.display }, stdio: 'ignore' }));
    await pollUntil(async () => (await fetch(`http://127.0.0.1:${port}/status`)).ok, 'WebKitWebDriver /status', 10_000, 100);
    return { port, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One MiniBrowser through the driver: a fresh, isolated profile each time. */
export function openMiniBrowser(port: number): Promise<WdioBrowser> {
  return remote({
    hostname: '127.0.0.1',
    port,
    path: '/',
    logLevel: 'error',
    capabilities: {
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
      'wdio:enforceWebDriverClassic': true,
    } as WebdriverIO.Capabilities,
  });
}

export async function launchWebKitEngine(): Promise<Engine> {
  const driver = await startWebKitDriver();
  const sessions: WdioBrowser[] = [];
  let closed = false;
  return {
    name: 'webkit',
    async open(url, options = {}) {
      const browser = await openMiniBrowser(driver.port);
      sessions.push(browser);
      if (options.viewport) await browser.setWindowSize(options.viewport.width, options.viewport.height);
      await browser.url(url);
      return wrapWebKitPage(browser, async () => {
        sessions.splice(sessions.indexOf(browser), 1);
        await browser.deleteSession();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(sessions.map((s) => s.deleteSession()));
      await driver.close();
    },
  };
}

function wrapWebKitPage(browser: WdioBrowser, closeSession: () => Promise<void>): EnginePage {
  const evaluate = async <R, A>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<Awaited<R>> =>
    (await (browser as unknown as { execute(fn: unknown, arg: unknown): Promise<unknown> }).execute(fn, arg)) as Awaited<R>;
  return {
    engine: 'webkit',
    goto: (url) => browser.url(url).then(() => undefined),
    click: async (selector) => {
      await (await browser.$(selector)).click();
    },
    type: async (selector, text) => {
      const element = await browser.$(selector);
      await element.click();
      await element.addValue(text);
    },
    evaluate,
    waitForFunction: <A>(fn: (arg: A) => unknown, arg?: A, options: WaitOptions = {}) =>
      pollUntil(() => evaluate(fn, arg), `a function to be true in WebKit: ${fn.toString().slice(0, 120)}`, options.timeout ?? 10_000, 50),
    screenshot: async () => {
      // Without two animation frames first, some screenshots come back blank (BROWSERS.md).
      await browser.executeAsync((done: () => void) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
      return Buffer.from(await browser.takeScreenshot(), 'base64');
    },
    close: closeSession,
  };
}

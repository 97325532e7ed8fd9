/**
 * Records the fixture the load test replays: a customer's real session on the demo shop, in
 * headless Chromium with the real SDK, tapped from the DevTools protocol (every frame the page
 * sends on /ws, with its time, flags and size). A scripted "human" browses for ~30 s: mouse
 * moves, scrolls, opens a product, picks a size, adds to cart, goes to checkout and types the
 * form (the card fields are redacted by the SDK). Page loads resume the session with a fresh
 * keyframe, as in real life.
 *
 *   npm run build && node --import tsx bench/load/record.ts   → bench/load/fixtures/demo-shop.json
 *
 * Only sizes and timing are stored: the server never reads a DOM payload, so the load test sends
 * a payload of the same size (with its send time in front) instead of the customer's content.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '@samepage/server';
import { launchBrowser } from '../lib/browser.ts';

export interface RecordedFrame {
  /** ms since the start of the recording */
  t: number;
  /** 'k' keyframe, 'd' delta, 'j' JSON text message */
  kind: 'k' | 'd' | 'j';
  bytes: number;
}
export interface Recording {
  source: string;
  durationMs: number;
  frames: RecordedFrame[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURE = path.join(here, 'fixtures/demo-shop.json');

async function main(): Promise<void> {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const frames: RecordedFrame[] = [];
    let t0 = 0;
    page.on('websocket', (ws) => {
      if (!ws.url().endsWith('/ws')) return;
      ws.on('framesent', ({ payload }) => {
        if (!t0) return;
        if (typeof payload === 'string') {
          if (payload.includes('"visitor_') || payload.includes('"host_hello"')) return;
          frames.push({ t: Date.now() - t0, kind: 'j', bytes: Buffer.byteLength(payload) });
        } else frames.push({ t: Date.now() - t0, kind: ((payload[1] ?? 0) & 1) === 1 ? 'k' : 'd', bytes: payload.length });
      });
    });
    await page.goto(server.url + '/');
    await page.waitForFunction(() => typeof (window as unknown as { Samepage?: { startSession?: unknown } }).Samepage?.startSession === 'function');
    t0 = Date.now();
    await page.evaluate(() => (window as unknown as { Samepage: { startSession(): Promise<unknown> } }).Samepage.startSession());
    const pause = (ms: number) => page.waitForTimeout(ms);
    const wander = async (steps: number) => {
      for (let i = 0; i < steps; i++) {
        await page.mouse.move(200 + ((i * 97) % 800), 150 + ((i * 53) % 500), { steps: 8 });
        await pause(120);
      }
    };
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`[record] step "${what}" skipped: ${String(err).split('\n')[0]}\n`);
      }
    };
    await wander(15);
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, 300), await pause(400);
    await wander(10);
    await step('open product', () => Promise.all([page.waitForLoadState('load'), page.click('a[href="product.html?id=trail-pack"]', { timeout: 3000 })]));
    await pause(1500);
    await wander(10);
    await step('pick size', () => page.check('input[name=size][value=l]', { timeout: 3000 }));
    await pause(500);
    await step('add to cart', () => page.click('button[type=submit]', { timeout: 3000 }));
    await pause(2000);
    await step('cart', () => page.goto(server.url + '/cart.html'));
    await pause(1500);
    await wander(10);
    await step('checkout', () => page.goto(server.url + '/checkout.html'));
    await pause(1500);
    for (const [id, text] of [
      ['name', 'Ada Lovelace'],
      ['email', 'ada@example.com'],
      ['address', '12 Analytical Row'],
      ['city', 'London'],
      ['postcode', 'N1 9GU'],
      ['cc-number', '4242424242424242'],
    ] as const) {
      await step(`type ${id}`, () => page.click(`#${id}`, { timeout: 3000 }));
      await step(`type ${id}`, () => page.keyboard.type(text, { delay: 90 }));
      await pause(300);
    }
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, 250), await pause(400);
    await wander(15);
    await pause(1000);
    const durationMs = Date.now() - t0;
    const recording: Recording = { source: 'demo shop, headless Chromium 1280x800, real SDK (bench/load/record.ts)', durationMs, frames };
    fs.mkdirSync(path.dirname(FIXTURE), { recursive: true });
    fs.writeFileSync(FIXTURE, JSON.stringify(recording) + '\n');
    const bytes = frames.reduce((n, f) => n + f.bytes, 0);
    process.stderr.write(`[record] ${frames.length} frames, ${bytes} bytes in ${durationMs} ms (${Math.round((bytes * 8) / durationMs)} kbit/s) → ${FIXTURE}\n`);
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();

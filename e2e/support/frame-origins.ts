/**
 * Pages on several local origins (127.0.0.1, one port each) for the cross-origin frame tests:
 * serves e2e/fixtures/frames/*.html with `__NAME__` placeholders filled in per origin, so that a
 * page on one origin can frame a page of another with the SDK and a site key of its own.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

export interface FixtureOrigin {
  origin: string;
  /** Placeholder values for this origin's pages (`SITE_KEY` → `__SITE_KEY__`); filled in at each request. */
  values: Record<string, string>;
  url(path: string): string;
}

/**
 * @example
 *   const [shop, partner] = await startFixtureOrigins(t, 2);
 *   shop.values.SITE_KEY = site.siteKey;
 *   await page.goto(shop.url('/shop.html'));
 */
export async function startFixtureOrigins(t: TestContext, count: number): Promise<FixtureOrigin[]> {
  const origins: FixtureOrigin[] = [];
  for (let i = 0; i < count; i++) {
    const values: Record<string, string> = {};
    const server = http.createServer((req, res) => {
      const name = /^\/([\w-]+\.html)$/.exec((req.url ?? '').split('?')[0] ?? '')?.[1];
      const file = name ? new URL(`../fixtures/frames/${name}`, import.meta.url) : null;
      if (!file || !fs.existsSync(file)) return void res.writeHead(404).end('not found');
      let html = fs.readFileSync(file, 'utf8');
      for (const [key, value] of Object.entries(values)) html = html.replaceAll(`__${key}__`, value);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.on('connection', (socket) => t.after(() => socket.destroy()));
    // Requests still open (a tab that is closing) must not keep the test waiting.
    t.after(() => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    origins.push({ origin, values, url: (path) => new URL(path, origin).href });
  }
  return origins;
}

/**
 * A customer's site on its own origin for the collaboration tests: serves e2e/fixtures/*.html
 * with __SERVER__ and __SITE_KEY__ filled in, and /react-form.js, a React 19 bundle built from
 * e2e/fixtures/react-form.tsx with esbuild. The site is registered in the demo tenant with this
 * origin as its only allowed origin.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { build } from 'esbuild';
import type { SiteRecord } from '@samepage/server';
import type { TestServer } from './server.ts';

let reactBundle: Promise<string> | null = null;

/** The React fixture's bundle, built once per test process. */
function reactFormBundle(): Promise<string> {
  reactBundle ??= build({
    entryPoints: [new URL('../fixtures/react-form.tsx', import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'iife',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]?.text ?? '');
  return reactBundle;
}

export interface FixtureSite {
  origin: string;
  site: SiteRecord;
  url(path: string): string;
}

export async function tenantIdOf(server: TestServer): Promise<string> {
  const site = await server.store.findSiteByKey(server.demoSiteKey);
  if (!site) throw new Error('no demo site');
  return site.tenantId;
}

/**
 * @example
 *   const fixtures = await startFixtureSite(t, server, { allowGuests: true });
 *   await customer.open(fixtures.url('/control.html'));
 */
export async function startFixtureSite(t: TestContext, server: TestServer, policy: { allowGuests?: boolean; allowNavigation?: boolean } = {}): Promise<FixtureSite> {
  const values = { SERVER: server.url, SITE_KEY: '' };
  const http_ = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path === '/react-form.js') {
      void reactFormBundle().then(
        (js) => res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
      return;
    }
    const name = /^\/([\w-]+\.html)$/.exec(path)?.[1];
    const file = name ? new URL(`../fixtures/${name}`, import.meta.url) : null;
    if (!file || !fs.existsSync(file)) return void res.writeHead(404).end('not found');
    let html = fs.readFileSync(file, 'utf8');
    for (const [key, value] of Object.entries(values)) html = html.replaceAll(`__${key}__`, value);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => http_.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => http_.close(() => resolve())));
  http_.on('connection', (socket) => t.after(() => socket.destroy()));
  const origin = `http://127.0.0.1:${(http_.address() as AddressInfo).port}`;
  const site = await server.store.createSite({
    tenantId: await tenantIdOf(server),
    name: 'Fixture shop',
    allowedOrigins: [origin],
    policy: { allowNavigation: policy.allowNavigation ?? true, allowGuests: policy.allowGuests ?? false },
  });
  values.SITE_KEY = site.siteKey;
  return { origin, site, url: (path) => new URL(path, origin).href };
}

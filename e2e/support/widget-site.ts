/**
 * A customer's site for the widget tests (issue 8), on its own origin: serves
 * e2e/fixtures/widget/*.html with __SERVER__, __SITE_KEY__, __HTML_LANG__ and __SDK_ATTRS__
 * filled in (the last two from the `lang` and `attrs` query parameters), with a strict CSP on
 * csp-strict.html, and the headless React example (examples/headless-react) built with esbuild.
 * The site is created with this origin as its only allowed origin and an optional theme.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { build } from 'esbuild';
import type { SiteTheme } from '@samepage/protocol';
import type { SiteRecord } from '@samepage/server';
import type { TestServer } from './server.ts';
import { tenantIdOf } from './fixture-site.ts';

const FIXTURES = new URL('../fixtures/widget/', import.meta.url);
const EXAMPLE = new URL('../../examples/headless-react/', import.meta.url);

let headlessBundle: Promise<string> | null = null;
function headlessApp(): Promise<string> {
  headlessBundle ??= build({
    entryPoints: [new URL('app.tsx', EXAMPLE).pathname],
    bundle: true,
    write: false,
    format: 'iife',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]?.text ?? '');
  return headlessBundle;
}

/** The CSP of csp-strict.html: only the Samepage server, no inline script or style. */
export function strictCsp(server: string): string {
  const ws = server.replace(/^http/, 'ws');
  return `default-src 'self' ${server}; script-src ${server} 'self'; connect-src ${server} ${ws}; style-src ${server} 'self'; img-src 'self' ${server} data:`;
}

export interface WidgetSite {
  origin: string;
  site: SiteRecord;
  /** `page` with the SDK attributes and <html lang> to use. */
  url(page: string, options?: { attrs?: string; lang?: string }): string;
}

const escapeAttr = (s: string): string => s.replace(/[<>]/g, '');

export async function startWidgetSite(t: TestContext, server: TestServer, options: { theme?: SiteTheme; allowGuests?: boolean } = {}): Promise<WidgetSite> {
  let siteKey = '';
  const http_ = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/headless/app.js') {
      void headlessApp().then(
        (js) => res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
      return;
    }
    const file =
      url.pathname === '/headless/' ? new URL('index.html', EXAMPLE) : /^\/[\w-]+\.html$/.test(url.pathname) ? new URL(url.pathname.slice(1), FIXTURES) : null;
    if (!file || !fs.existsSync(file)) return void res.writeHead(404).end('not found');
    const html = fs
      .readFileSync(file, 'utf8')
      .replaceAll('__SERVER__', server.url.replace(/\/$/, ''))
      .replaceAll('__SITE_KEY__', siteKey)
      .replaceAll('__HTML_LANG__', escapeAttr(url.searchParams.get('lang') ?? 'en'))
      .replaceAll('__SDK_ATTRS__', escapeAttr(url.searchParams.get('attrs') ?? ''));
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
    if (url.pathname === '/csp-strict.html') headers['content-security-policy'] = strictCsp(server.url.replace(/\/$/, ''));
    res.writeHead(200, headers).end(html);
  });
  await new Promise<void>((resolve) => http_.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => http_.close(() => resolve())));
  http_.on('connection', (socket) => t.after(() => socket.destroy()));
  const origin = `http://127.0.0.1:${(http_.address() as AddressInfo).port}`;
  const site = await server.store.createSite({
    tenantId: await tenantIdOf(server),
    name: 'Widget shop',
    allowedOrigins: [origin],
    policy: { allowNavigation: true, allowGuests: options.allowGuests ?? false, ...(options.theme ? { theme: options.theme } : {}) } as never,
  });
  siteKey = site.siteKey;
  return {
    origin,
    site,
    url: (page, o = {}) => {
      const u = new URL(page, origin);
      if (o.attrs) u.searchParams.set('attrs', o.attrs);
      if (o.lang) u.searchParams.set('lang', o.lang);
      return u.href;
    },
  };
}

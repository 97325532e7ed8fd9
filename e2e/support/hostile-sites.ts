import http from 'node:http';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/** A request that reached the attacker's host, with the browser that sent it. */
export interface AttackerHit {
  url: string;
  userAgent: string;
}

async function listen(t: TestContext, server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.on('connection', (socket) => t.after(() => socket.destroy()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * The attacker's host: a local listener that records every request (and every TCP connection,
 * for preconnects that never send a request) and answers each with a tiny response.
 */
export async function startAttackerListener(t: TestContext): Promise<{ origin: string; hits: AttackerHit[]; connections: number[] }> {
  const hits: AttackerHit[] = [];
  const connections: number[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ url: req.url ?? '', userAgent: String(req.headers['user-agent'] ?? '') });
    res.setHeader('access-control-allow-origin', '*');
    res.end('');
  });
  server.on('connection', () => connections.push(Date.now()));
  return { origin: await listen(t, server), hits, connections };
}

/**
 * Serves e2e/fixtures/*.html on its own origin, with __ATTACKER__, __SERVER__, __SITE_KEY__ and
 * __SELF__ (its own origin; set by this function) filled in, and a 1x1 GIF at /allowed.gif. Records every request, as the attacker does.
 */
export async function startFixtureSite(t: TestContext, values: Record<'ATTACKER' | 'SERVER' | 'SITE_KEY' | 'SELF', string>): Promise<{ origin: string; hits: AttackerHit[] }> {
  const hits: AttackerHit[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ url: req.url ?? '', userAgent: String(req.headers['user-agent'] ?? '') });
    if (req.url === '/allowed.gif') return res.writeHead(200, { 'content-type': 'image/gif' }).end(Buffer.from('R0lGODlhAQABAAAAACwAAAAAAQABAAA=', 'base64'));
    const name = /^\/([\w-]+\.html)$/.exec(req.url ?? '')?.[1];
    const file = name ? new URL(`../fixtures/${name}`, import.meta.url) : null;
    if (!file || !fs.existsSync(file)) return res.writeHead(404).end();
    let html = fs.readFileSync(file, 'utf8');
    for (const [key, value] of Object.entries(values)) html = html.replaceAll(`__${key}__`, value);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  const origin = await listen(t, server);
  values.SELF = origin;
  return { origin, hits };
}

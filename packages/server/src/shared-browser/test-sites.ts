/**
 * Test support for the shared browser's network tests: two local web servers on the same port,
 * one on 127.0.0.2 that the tests count as a public address (`countsAsPublic`), one on 127.0.0.1
 * that stays private. Each counts the requests it got, so a test can prove the private one was
 * never reached.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPrivateAddress } from '../webhooks/private-address.ts';

export const PUBLIC_TEST_ADDRESS = '127.0.0.2';

/** The production rule, except that 127.0.0.2 stands in for a public address. */
export const countsAsPublic = (ip: string): boolean => ip !== PUBLIC_TEST_ADDRESS && isPrivateAddress(ip);

export interface TestSite {
  port: number;
  hits: string[];
  close(): Promise<void>;
}

function page(title: string, body = ''): string {
  return `<!doctype html><title>${title}</title><h1>${title}</h1>${body}`;
}

function listen(host: string, port: number, title: string): Promise<TestSite> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url?.startsWith('/redirect-private')) {
      res.writeHead(302, { location: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/html', 'access-control-allow-origin': '*', 'cache-control': 'no-store' });
    res.end(page(title, req.url === '/tabs' ? '<a id="open" href="/second" target="_blank">Second tab</a>' : ''));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({ port: (server.address() as AddressInfo).port, hits, close: () => new Promise((r) => (server.close(() => r()), server.closeAllConnections())) });
    });
  });
}

/** A "public" site on 127.0.0.2 and a private one ("Secret") on 127.0.0.1, on the same port. */
export async function startTwinSites(): Promise<{ port: number; publicSite: TestSite; privateSite: TestSite; close(): Promise<void> }> {
  for (let attempt = 0; ; attempt++) {
    const publicSite = await listen(PUBLIC_TEST_ADDRESS, 0, 'Public page');
    try {
      const privateSite = await listen('127.0.0.1', publicSite.port, 'Secret');
      return { port: publicSite.port, publicSite, privateSite, close: async () => void (await Promise.all([publicSite.close(), privateSite.close()])) };
    } catch (err) {
      await publicSite.close();
      if (attempt > 10) throw err;
    }
  }
}

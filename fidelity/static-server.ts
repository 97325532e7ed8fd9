/**
 * The corpus's web server: serves `fidelity/pages` on 127.0.0.1 with a free port. Two of them
 * run at once, so that a page on one can frame a page of the other (a cross-origin iframe: same
 * host, another port). HTML files get their placeholders filled in:
 *   __SAMEPAGE_SERVER__  the Samepage server's origin (for `<script src=".../sdk.js">`)
 *   __SAMEPAGE_KEY__     the site key of the fidelity site
 *   __OTHER_ORIGIN__     the origin of the other corpus server
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
};

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

export interface Placeholders {
  server: string;
  siteKey: () => string;
  /** Filled in after both servers are listening. */
  otherOrigin: () => string;
}

export async function startStaticServer(root: string, placeholders: Placeholders): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let rel = decodeURIComponent(url.pathname);
      if (rel.endsWith('/')) rel += 'index.html';
      const file = path.join(root, path.normalize(rel));
      if (!file.startsWith(root + path.sep)) {
        res.writeHead(403).end();
        return;
      }
      let body: Buffer;
      try {
        body = await readFile(file);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const ext = path.extname(file);
      const headers: Record<string, string> = {
        'content-type': TYPES[ext] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        // The agent's browser fetches fonts and images from another origin (the console's).
        'access-control-allow-origin': '*',
      };
      if (ext === '.html') {
        const text = body
          .toString('utf8')
          .replaceAll('__SAMEPAGE_SERVER__', placeholders.server)
          .replaceAll('__SAMEPAGE_KEY__', placeholders.siteKey())
          .replaceAll('__OTHER_ORIGIN__', placeholders.otherOrigin());
        body = Buffer.from(text, 'utf8');
      }
      // Video seeking needs byte ranges.
      const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
      if (range && (ext === '.webm' || ext === '.mp4')) {
        const start = range[1] ? Number(range[1]) : 0;
        const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
        res.writeHead(206, { ...headers, 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': String(end - start + 1) });
        res.end(body.subarray(start, end + 1));
        return;
      }
      res.writeHead(200, { ...headers, 'accept-ranges': 'bytes', 'content-length': String(body.length) });
      res.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

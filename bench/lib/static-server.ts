/** A tiny loopback HTTP server for generated pages and bundles; WebSocket upgrades go to `onUpgrade`. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface StaticServer {
  origin: string;
  set(pathname: string, body: string, contentType?: string): void;
  onUpgrade(handler: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void): void;
  close(): Promise<void>;
}

export async function startStaticServer(): Promise<StaticServer> {
  const routes = new Map<string, { body: Buffer; type: string }>();
  let upgrade: ((req: http.IncomingMessage, socket: Duplex, head: Buffer) => void) | null = null;
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes.get(pathname);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store', 'content-length': route.body.length }).end(route.body);
  });
  server.on('upgrade', (req, socket, head) => {
    if (upgrade) upgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    set(pathname, body, contentType = 'text/html; charset=utf-8') {
      routes.set(pathname, { body: Buffer.from(body), type: contentType });
    },
    onUpgrade(handler) {
      upgrade = handler;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

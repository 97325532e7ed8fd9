/**
 * The only way out of a shared browser: an HTTP proxy on 127.0.0.1 that resolves each target
 * host once, refuses it unless every address is allowed (SSRF), and connects to one of exactly
 * those addresses. Chromium is launched with this proxy and with a host resolver that resolves
 * nothing itself, and Playwright's `route.fetch` uses the same proxy, so no connection of the
 * browser is made to an address that was not checked at the moment it was made (DNS rebinding).
 *
 * Plain http arrives in absolute form (`GET http://host/path`); https, wss, and everything
 * `route.fetch` sends arrive as `CONNECT host:port` tunnels (TLS stays end to end).
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { resolveChecked, type AddressPolicy } from './url-policy.ts';

export interface EgressProxy {
  /** `http://127.0.0.1:PORT`, for Playwright's `proxy.server`. */
  readonly url: string;
  /** Why a host was refused in the last minute, or null: the request router reports it as blocked. */
  refusedReason(hostname: string): string | null;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'upgrade']);
const CONNECT_TIMEOUT_MS = 30_000;

/** A `lookup` for node:net that answers only the checked addresses (pinning). */
function pinnedLookup(addresses: string[]): net.LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const entries = addresses.map((address) => ({ address, family: net.isIP(address) }));
    if (options?.all) callback(null, entries);
    else callback(null, entries[0]!.address, entries[0]!.family);
  }) as unknown as net.LookupFunction;
}

/** `host:port` of a CONNECT line; IPv6 in brackets. */
function parseAuthority(authority: string): { host: string; port: number } | null {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(authority);
  if (!m?.[1] || !m[2]) return null;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1].replace(/^\[|\]$/g, ''), port } : null;
}

function withoutHopByHop(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

/**
 * Starts a proxy for one shared browser.
 *
 * @example
 *   const proxy = await startEgressProxy({ allowPrivate: false }, log);
 *   chromium.launch({ proxy: { server: proxy.url }, ... });
 */
export async function startEgressProxy(policy: AddressPolicy, log: Logger): Promise<EgressProxy> {
  const sockets = new Set<Duplex>();
  const refused = new Map<string, { reason: string; at: number }>();
  const track = (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };

  /** Resolves and checks once; null (and the client told) when refused. */
  const admit = async (host: string): Promise<string[] | null> => {
    const resolved = await resolveChecked(host, policy);
    if (resolved.ok) return resolved.addresses;
    refused.set(host.toLowerCase(), { reason: resolved.reason, at: Date.now() });
    log.info({ host, reason: resolved.reason }, 'shared browser connection refused');
    return null;
  };

  const open = (host: string, port: number, addresses: string[]): net.Socket => {
    const upstream = net.connect({ host, port, lookup: pinnedLookup(addresses), timeout: CONNECT_TIMEOUT_MS });
    upstream.once('timeout', () => upstream.destroy());
    track(upstream);
    return upstream;
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      let target: URL;
      try {
        target = new URL(req.url ?? '');
      } catch {
        return res.writeHead(400).end();
      }
      if (target.protocol !== 'http:') return res.writeHead(400).end();
      const addresses = await admit(target.hostname);
      if (!addresses) return res.writeHead(403, { 'content-type': 'text/plain', 'x-samepage-refused': '1' }).end('Refused by the shared browser (private address).');
      const upstream = http.request({
        host: target.hostname,
        port: Number(target.port || 80),
        method: req.method,
        path: target.pathname + target.search,
        headers: withoutHopByHop(req.rawHeaders),
        setHost: false,
        agent: false,
        lookup: pinnedLookup(addresses),
        timeout: CONNECT_TIMEOUT_MS,
      });
      upstream.on('response', (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, withoutHopByHop(answer.rawHeaders));
        answer.pipe(res);
      });
      upstream.on('timeout', () => upstream.destroy());
      upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
      req.pipe(upstream);
    })();
  });

  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    void (async () => {
      const target = parseAuthority(req.url ?? '');
      if (!target) return client.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
      const addresses = await admit(target.host);
      if (!addresses) return client.end('HTTP/1.1 403 Forbidden\r\nx-samepage-refused: 1\r\ncontent-length: 0\r\n\r\n');
      const upstream = open(target.host, target.port, addresses);
      upstream.once('error', () => client.writable && client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n'));
      upstream.once('connect', () => {
        upstream.setTimeout(0);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client).on('error', () => undefined);
        client.pipe(upstream).on('error', () => undefined);
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
      });
    })();
  });

  // A plain ws:// upgrade in absolute form: checked and pinned the same way.
  server.on('upgrade', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    void (async () => {
      let target: URL;
      try {
        target = new URL(req.url ?? '');
      } catch {
        return client.destroy();
      }
      const addresses = target.protocol === 'http:' || target.protocol === 'ws:' ? await admit(target.hostname) : null;
      if (!addresses) return client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      const upstream = open(target.hostname, Number(target.port || 80), addresses);
      upstream.once('error', () => client.destroy());
      upstream.once('connect', () => {
        upstream.setTimeout(0);
        const lines = [`${req.method} ${target.pathname}${target.search} HTTP/1.1`];
        const raw = req.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2) if (!/^proxy-/i.test(raw[i]!)) lines.push(`${raw[i]}: ${raw[i + 1]}`);
        upstream.write(lines.join('\r\n') + '\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client).on('error', () => undefined);
        client.pipe(upstream).on('error', () => undefined);
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
      });
    })();
  });

  server.on('connection', track);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    refusedReason(hostname) {
      const hit = refused.get(hostname.toLowerCase().replace(/^\[|\]$/g, ''));
      return hit && Date.now() - hit.at < 60_000 ? hit.reason : null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
  };
}

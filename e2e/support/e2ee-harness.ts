/**
 * End-to-end encryption tests (issue 9): a real server whose every socket frame, in and out, is
 * teed on the server's side of the socket (and can be dropped or injected: the "malicious relay"
 * hooks), whose log lines are kept, and whose database file can be searched; a customer's site
 * on its own origin with canaries in its page; and a search for canaries in every encoding.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { Writable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import pino from 'pino';
import Database from 'better-sqlite3';
import type WebSocket from 'ws';
import { loadConfig, runServer, type RunningServer, type SiteRecord } from '@samepage/server';
import { encodingsOf, frameTapOf, type SocketLog } from './frame-tap.ts';
import { tenantIdOf } from './fixture-site.ts';

export interface TeedFrame {
  conn: number;
  dir: 'in' | 'out';
  binary: boolean;
  data: Buffer;
}

/** One client socket as the relay sees it. */
export interface TeedConn {
  id: number;
  /** host (the customer's tab), agent, visitor (presence) or unknown, from its hello. */
  role: 'host' | 'agent' | 'visitor' | 'guest' | 'unknown';
  /** Delivers `data` to the relay as if this client had sent it. */
  inject(data: Buffer, binary: boolean): void;
  /** Sends `data` to this client as if the relay had. */
  deliver(data: Buffer | string): void;
}

/** Decides about a frame a client sent before the relay sees it. */
export type IncomingHook = (conn: TeedConn, data: Buffer, binary: boolean) => 'pass' | 'drop';

export interface TappedServer extends RunningServer {
  frames: TeedFrame[];
  logs: string[];
  dataDir: string;
  conns: TeedConn[];
  /** Set to act as a malicious relay; null passes everything. */
  incoming: IncomingHook | null;
}

const toBuffer = (data: unknown): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data as Buffer[]) : data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(String(data));

/** Starts a server (port 0, fresh data directory, info-level logs kept in memory) with every socket teed. */
export async function startTappedServer(t: TestContext, env: Record<string, string> = {}): Promise<TappedServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samepage-e2ee-'));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_EMAIL: 'admin@example.test', ADMIN_PASSWORD: 'correct horse battery staple', LOG_LEVEL: 'debug', ...env });
  const server = (await runServer(config, pino({ level: 'debug' }, sink))) as TappedServer;
  server.frames = [];
  server.logs = logs;
  server.dataDir = dataDir;
  server.conns = [];
  server.incoming = null;
  const relay = server.relay as unknown as { accept(ws: WebSocket, req: IncomingMessage): Promise<void> };
  const accept = relay.accept.bind(relay);
  relay.accept = (ws, req) => {
    tapSocket(server, ws);
    return accept(ws, req);
  };
  t.after(async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return server;
}

function tapSocket(server: TappedServer, ws: WebSocket): void {
  const emit = ws.emit.bind(ws) as (event: string, ...args: unknown[]) => boolean;
  const send = ws.send.bind(ws) as (data: unknown, ...rest: unknown[]) => void;
  const conn: TeedConn = {
    id: server.conns.length + 1,
    role: 'unknown',
    inject: (data, binary) => void emit('message', data, binary),
    deliver: (data) => send(data),
  };
  server.conns.push(conn);
  (ws as unknown as { emit: typeof emit }).emit = (event: string, ...args: unknown[]): boolean => {
    if (event !== 'message') return emit(event, ...args);
    const data = toBuffer(args[0]);
    const binary = args[1] === true;
    server.frames.push({ conn: conn.id, dir: 'in', binary, data });
    if (!binary && conn.role === 'unknown') {
      const type = /"type":"(\w+)_hello"/.exec(data.toString('utf8'))?.[1];
      if (type === 'host' || type === 'agent' || type === 'visitor' || type === 'guest') conn.role = type;
    }
    if (server.incoming?.(conn, data, binary) === 'drop') return true;
    return emit('message', data, binary);
  };
  (ws as unknown as { send: typeof send }).send = (data: unknown, ...rest: unknown[]): void => {
    server.frames.push({ conn: conn.id, dir: 'out', binary: typeof data !== 'string', data: toBuffer(data) });
    send(data, ...rest);
  };
}

export interface CanarySite {
  origin: string;
  site: SiteRecord;
  /** The page's URL; its path carries the URL canary. */
  pageUrl: string;
}

export interface Canaries {
  text: string;
  attribute: string;
  input: string;
  url: string;
  chatFromCustomer: string;
  chatFromAgent: string;
  typed: string;
}

/** Unique markers of 12+ characters (short ones would match ids and timestamps by chance). */
export function makeCanaries(): Canaries {
  const tag = Math.random().toString(36).slice(2, 10);
  return {
    text: `cnrytext${tag}`,
    attribute: `cnryattr${tag}`,
    input: `cnryinput${tag}`,
    url: `cnryurl${tag}`,
    chatFromCustomer: `cnrychatc${tag}`,
    chatFromAgent: `cnrychata${tag}`,
    typed: `cnrytyped${tag}`,
  };
}

function canaryPage(server: string, siteKey: string, c: Canaries, e2ee: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body>
<h1>Order summary</h1>
<p id="secret-text">Your order note: ${c.text}</p>
<div id="attr" data-note="${c.attribute}">Gift wrapping</div>
<label>Voucher <input id="allowed" value="${c.input}"></label>
<label>Delivery note <textarea id="typed"></textarea></label>
<p>Ready for help</p>
<script src="${server}/sdk.js" data-site-key="${siteKey}" data-widget${e2ee ? ' data-e2ee' : ''} async></script>
</body></html>`;
}

/**
 * The customer's site on its own origin: one page, at a path that carries the URL canary. The
 * voucher and delivery-note fields are allowed to be shown (site redaction rules), so without
 * encryption their values do travel.
 *
 * @example
 *   const shop = await startCanarySite(t, server, canaries, { e2ee: true });
 *   await customer.open(shop.pageUrl);
 */
export async function startCanarySite(t: TestContext, server: RunningServer, canaries: Canaries, options: { e2ee: boolean; recordSessions?: boolean }): Promise<CanarySite> {
  let siteKey = '';
  const pagePath = `/shop/${canaries.url}/order.html`;
  const site_ = http.createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== pagePath) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(canaryPage(server.url, siteKey, canaries, options.e2ee));
  });
  await new Promise<void>((resolve) => site_.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => site_.close(() => resolve())));
  site_.on('connection', (socket) => t.after(() => socket.destroy()));
  const origin = `http://127.0.0.1:${(site_.address() as AddressInfo).port}`;
  const site = await server.store.createSite({
    tenantId: await tenantIdOf(server as never),
    name: 'Canary shop',
    allowedOrigins: [origin],
    redaction: { allow: ['#allowed', '#typed'] },
    policy: { e2ee: options.e2ee, allowNavigation: false, allowGuests: false, recordSessions: options.recordSessions ?? false },
  });
  siteKey = site.siteKey;
  return { origin, site, pageUrl: origin + pagePath };
}

/** Everything a byte string might hide a canary in: itself, and deflate-raw inflations of it (whole, after a DOM header, after an envelope header, after both). */
export function haystacksOf(where: string, data: Buffer | string): Array<[string, Buffer]> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const out: Array<[string, Buffer]> = [[where, bytes]];
  for (const offset of [0, 12, 20, 32]) {
    if (bytes.byteLength <= offset + 2) continue;
    try {
      out.push([`${where} inflated from byte ${offset}`, inflateRawSync(bytes.subarray(offset))]);
    } catch {
      // not a deflate stream there
    }
  }
  // Chat kept by the server as base64 of the encrypted frame: look inside too.
  const text = bytes.toString('utf8');
  for (const match of text.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)) out.push([`${where} base64 block`, Buffer.from(match[0], 'base64')]);
  return out;
}

/** Every form a canary may take: UTF-8, JSON-escaped, percent- and form-encoded, base64(url) at any alignment, hex, UTF-16. */
export function formsOf(canary: string): Array<[string, Buffer]> {
  const forms: Array<[string, Buffer]> = [...encodingsOf(canary)].map(([name, text]) => [name, Buffer.from(text, 'utf8')]);
  const hex = Buffer.from(canary, 'utf8').toString('hex');
  forms.push(['hex', Buffer.from(hex, 'utf8')], ['HEX', Buffer.from(hex.toUpperCase(), 'utf8')]);
  forms.push(['utf-16le', Buffer.from(canary, 'utf16le')]);
  const be = Buffer.from(canary, 'utf16le');
  be.swap16();
  forms.push(['utf-16be', be]);
  return forms;
}

/** Describes every place a canary shows up in `haystacks` (after inflating what inflates). */
export function findCanaries(sources: Array<[string, Buffer | string]>, canaries: readonly string[]): string[] {
  const found: string[] = [];
  const forms = canaries.map((c) => [c, formsOf(c)] as const);
  for (const [where, data] of sources) {
    for (const [place, hay] of haystacksOf(where, data)) {
      for (const [canary, list] of forms) {
        for (const [form, needle] of list) if (hay.includes(needle)) found.push(`${canary} (${form}) in ${place}`);
      }
    }
  }
  return found;
}

/**
 * Every frame the server received and sent, as search sources; plus, per connection, the DOM
 * stream decoded as a viewer would (deltas inflate only with the epoch's window as dictionary),
 * so that without encryption text typed one key at a time is found in the page's state.
 */
export function frameSources(server: TappedServer): Array<[string, Buffer | string]> {
  const out: Array<[string, Buffer | string]> = server.frames.map((f, i) => [`frame #${i} ${f.dir} conn ${f.conn} (${f.binary ? 'binary' : 'text'})`, f.data]);
  for (const conn of server.conns) {
    for (const dir of ['in', 'out'] as const) {
      const log: SocketLog = { url: `conn ${conn.id} ${dir}`, texts: [], binaries: server.frames.filter((f) => f.conn === conn.id && f.dir === dir && f.binary && f.data[0] === 0x01).map((f) => f.data) };
      frameTapOf([log]).decode().texts.forEach((text, i) => out.push([`conn ${conn.id} ${dir} decoded DOM payload #${i}`, text]));
    }
  }
  return out;
}

/** Every value of every row of every table, and the raw bytes of every file of the data directory (database, WAL). */
export function storageSources(server: TappedServer): Array<[string, Buffer | string]> {
  const out: Array<[string, Buffer | string]> = [];
  for (const name of fs.readdirSync(server.dataDir)) {
    const file = path.join(server.dataDir, name);
    if (fs.statSync(file).isFile()) out.push([`file ${name}`, fs.readFileSync(file)]);
  }
  const dbFile = fs.readdirSync(server.dataDir).find((n) => /\.(db|sqlite3?)$/.test(n));
  if (!dbFile) return out;
  const db = new Database(path.join(server.dataDir, dbFile), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
    for (const { name } of tables) {
      for (const row of db.prepare(`select * from "${name}"`).all() as Array<Record<string, unknown>>) {
        for (const [column, value] of Object.entries(row)) {
          if (Buffer.isBuffer(value) || typeof value === 'string') out.push([`table ${name}.${column}`, value]);
        }
      }
    }
  } finally {
    db.close();
  }
  return out;
}

/** The late-join cache of every live session, as the relay holds it. */
export function cacheSources(server: TappedServer): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  const sessions = (server.relay as unknown as { sessions: Map<string, { cache: { snapshot(): readonly Uint8Array[] } }> }).sessions;
  for (const [id, session] of sessions) session.cache.snapshot().forEach((f, i) => out.push([`cache ${id} #${i}`, Buffer.from(f)]));
  return out;
}

/**
 * The HTTP streaming transport: the same relay connection as /ws, for networks where WebSockets
 * are blocked (corporate proxies that strip `Upgrade`). PROTOCOL.md, "Transport fallback".
 *
 * - `GET /stream` opens a server-sent-events stream: one logical connection. Its first event,
 *   `ready`, carries `{ id, token }`. Then `t` events carry text frames (the JSON messages),
 *   `b` events binary frames (DOM frames, base64), and a final `close` event `{ code, reason }`.
 *   A comment line every 15 s keeps proxies from timing it out.
 * - `POST /stream/:id` with the header `x-samepage-stream: <token>` carries client frames:
 *   `application/json` (or text/plain) = one text frame, `application/octet-stream` = one binary
 *   frame, `application/x-samepage-batch` = several frames, each `u8 kind (0 text, 1 binary),
 *   u32 length (big-endian), bytes`. Answers 204, in order: a client sends one POST at a time.
 * - The connection is handed to the relay (`Relay.accept`) with its first POST, so the checks
 *   are those of the WebSocket path: the Origin header (browsers always send it on a POST, not
 *   always on a same-origin GET) and the console's cookie. An Origin that differs between the
 *   GET and the POSTs is refused.
 * - The SSE response ending is the socket closing. A stream without a POST for HELLO_TIMEOUT_MS
 *   is closed with 4408, like a WebSocket without a hello.
 */
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, encodeMessage, type ErrorCode } from '@samepage/protocol';
import type { Logger } from 'pino';
import type { RelaySocket } from '../relay/relay.ts';

export const STREAM_HEARTBEAT_MS = 15_000;
export const STREAM_TOKEN_HEADER = 'x-samepage-stream';
export const BATCH_CONTENT_TYPE = 'application/x-samepage-batch';

/** What the transport needs from the relay; `Relay` satisfies it. */
export interface StreamRelay {
  accept(socket: RelaySocket, req: IncomingMessage): Promise<void>;
  readonly socketCount?: number;
}

export interface StreamTransportOptions {
  relay: StreamRelay;
  log: Logger;
  /** The largest binary frame (MAX_FRAME_BYTES); a POST body may be up to this plus 1 MiB. */
  maxFrameBytes: number;
  /** A stream whose first POST has not come in this time is closed with 4408. */
  helloTimeoutMs: number;
  /** Open connections (WebSockets and streams together) before new ones get server_busy. */
  maxSockets?: number;
  heartbeatMs?: number;
}

/** One logical connection over SSE + POST; the relay sees it as a WebSocket (RelaySocket). */
export class StreamConnection extends EventEmitter implements RelaySocket {
  readonly id = crypto.randomBytes(12).toString('base64url');
  readonly token = crypto.randomBytes(24).toString('base64url');
  closed = false;
  /** Set by the first POST, when the connection is handed to the relay. */
  accepted = false;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly res: ServerResponse,
    /** The GET that opened the stream. */
    readonly openedBy: IncomingMessage,
    heartbeatMs: number,
  ) {
    super();
    this.heartbeat = setInterval(() => this.write(': hb\n\n'), heartbeatMs);
    this.heartbeat.unref?.();
    res.on('close', () => {
      // The client went away: make sure the connection goes too (an unended response keeps it).
      if (!res.writableEnded) res.destroy();
      this.ended(1006, '');
    });
  }

  /** Bytes written to the response that the network has not taken yet. */
  get bufferedAmount(): number {
    return this.res.writableLength;
  }

  send(data: string | Uint8Array): void {
    if (this.closed) return;
    if (typeof data === 'string') this.event('t', data);
    else this.event('b', Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'));
  }

  /** Sends the `close` event and ends the response, like a WebSocket close frame. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.event('close', JSON.stringify({ code, reason }));
    this.res.end();
    this.ended(code, reason);
  }

  /** Frames from a POST, in order. */
  receive(data: Buffer, isBinary: boolean): void {
    if (!this.closed) this.emit('message', data, isBinary);
  }

  /** The error message and close of a fatal catalogue error (what Peer.fail does). */
  fail(code: ErrorCode): void {
    const e = ERRORS[code];
    this.send(encodeMessage({ type: 'error', code, message: e.message, fatal: e.fatal }));
    this.close(e.close, code);
  }

  event(name: string, data: string): void {
    // Text frames are JSON on one line; split anyway, as SSE wants one `data:` per line.
    this.write(`event: ${name}\ndata: ${data.split('\n').join('\ndata: ')}\n\n`);
  }

  private write(chunk: string): void {
    if (!this.closed && !this.res.writableEnded) this.res.write(chunk);
  }

  private ended(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.emit('close', code, reason);
  }
}

/** Splits an `application/x-samepage-batch` body; null if it is malformed. */
export function decodeBatch(body: Buffer): Array<{ data: Buffer; isBinary: boolean }> | null {
  const frames: Array<{ data: Buffer; isBinary: boolean }> = [];
  let at = 0;
  while (at < body.length) {
    if (at + 5 > body.length) return null;
    const kind = body[at]!;
    const length = body.readUInt32BE(at + 1);
    if (kind > 1 || at + 5 + length > body.length) return null;
    frames.push({ data: body.subarray(at + 5, at + 5 + length), isBinary: kind === 1 });
    at += 5 + length;
  }
  return frames;
}

/** Refuses a WebSocket upgrade with 403 (DISABLE_WEBSOCKETS=1, for testing the fallback). */
export function refuseUpgrade(socket: Duplex): void {
  socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}

/** True when DISABLE_WEBSOCKETS=1: every upgrade on /ws is refused, so clients use /stream. */
export function websocketsDisabled(env: Record<string, string | undefined> = process.env): boolean {
  return env.DISABLE_WEBSOCKETS === '1' || env.DISABLE_WEBSOCKETS === 'true';
}

function corsHeaders(origin: string | undefined): Record<string, string> {
  // No Allow-Credentials: a cross-origin page can read its own stream, never a console's.
  return origin ? { 'access-control-allow-origin': origin, vary: 'origin' } : {};
}

const headerOf = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Registers GET /stream, POST /stream/:id and its CORS preflight, in their own scope (their
 * body parser takes raw bytes and touches no other route).
 *
 * @example
 *   const streams = registerStreamTransport(app, { relay, log, maxFrameBytes, helloTimeoutMs });
 */
export function registerStreamTransport(app: FastifyInstance, options: StreamTransportOptions): Map<string, StreamConnection> {
  const streams = new Map<string, StreamConnection>();
  const heartbeatMs = options.heartbeatMs ?? STREAM_HEARTBEAT_MS;

  app.addHook('preClose', async () => {
    for (const conn of [...streams.values()]) conn.close(1012, 'server_shutting_down');
  });

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.maxFrameBytes + 1024 * 1024 }, (_req, body, done) => done(null, body));

    scope.get('/stream', async (request: FastifyRequest, reply: FastifyReply) => {
      const req = request.raw;
      const origin = headerOf(req, 'origin');
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store, no-transform',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        ...corsHeaders(origin),
      });
      req.socket.setNoDelay(true);
      const conn = new StreamConnection(res, req, heartbeatMs);
      // EventSource must not reconnect on its own: a new stream is a new connection.
      res.write('retry: 86400000\n\n');
      const open = (options.relay.socketCount ?? 0) + streams.size;
      if (options.maxSockets !== undefined && open >= options.maxSockets) return conn.fail('server_busy');
      streams.set(conn.id, conn);
      conn.on('close', () => streams.delete(conn.id));
      conn.event('ready', JSON.stringify({ id: conn.id, token: conn.token }));
      const helloTimer = setTimeout(() => {
        if (!conn.accepted) conn.fail('hello_timeout');
      }, options.helloTimeoutMs);
      conn.on('close', () => clearTimeout(helloTimer));
    });

    scope.options('/stream/:id', async (request, reply) => {
      reply
        .code(204)
        .headers({
          ...corsHeaders(headerOf(request.raw, 'origin')),
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': `content-type, ${STREAM_TOKEN_HEADER}`,
          'access-control-max-age': '600',
        })
        .send();
    });

    scope.post('/stream/:id', async (request, reply) => {
      const req = request.raw;
      const origin = headerOf(req, 'origin');
      reply.headers(corsHeaders(origin));
      const conn = streams.get((request.params as { id: string }).id);
      const token = headerOf(req, STREAM_TOKEN_HEADER) ?? '';
      if (!conn || conn.closed || !sameSecret(token, conn.token)) return reply.code(404).send({ error: { code: 'not_found', message: 'No such stream.' } });
      const openedOrigin = headerOf(conn.openedBy, 'origin');
      if (origin && openedOrigin && origin !== openedOrigin) return reply.code(403).send({ error: { code: 'origin_not_allowed', message: ERRORS.origin_not_allowed.message } });
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const type = (headerOf(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const frames = type === BATCH_CONTENT_TYPE ? decodeBatch(body) : [{ data: body, isBinary: type === 'application/octet-stream' }];
      if (!frames) {
        conn.fail('bad_frame');
        return reply.code(400).send({ error: { code: 'bad_frame', message: 'The batch could not be decoded.' } });
      }
      if (!conn.accepted) {
        conn.accepted = true;
        // The POST carries the Origin a same-origin GET may lack; the relay checks it at hello.
        options.relay.accept(conn, origin ? req : conn.openedBy).catch((err: unknown) => {
          options.log.error({ err }, 'stream connection setup failed');
          conn.close(1011, 'internal');
        });
      }
      for (const frame of frames) conn.receive(frame.data, frame.isBinary);
      return reply.code(204).send();
    });
  });

  return streams;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

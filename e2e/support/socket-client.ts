import WebSocket from 'ws';

/** A JSON message from the server; the tests check fields by name. */
export type ServerJson = { type: string; [key: string]: unknown };

export interface Closed {
  code: number;
  reason: string;
}

/**
 * A raw socket to `/ws`, as an attacker or a broken client would open one. Collects every
 * message so a test can wait for the one it expects.
 *
 * @example
 *   const socket = await openSocket(socketUrl(server), { origin: server.url });
 *   socket.send({ type: 'host_hello', v: 999, siteKey, page });
 *   assert.equal((await socket.closed).code, 4426);
 */
export interface RawSocket {
  readonly messages: ServerJson[];
  readonly closed: Promise<Closed>;
  send(message: unknown): void;
  sendRaw(data: string | Buffer): void;
  /**
   * Resolves with the next message of this type, after the one the previous call returned
   * (messages already received count). Rejects on timeout or when the socket closes first.
   */
  next(type: string, timeoutMs?: number): Promise<ServerJson>;
  close(): Promise<void>;
}

export async function openSocket(url: string, options: { origin?: string; cookie?: string } = {}): Promise<RawSocket> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  const ws = new WebSocket(url, { origin: options.origin, headers });
  const messages: ServerJson[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    if (isBinary) return; // DOM frames: not what these tests look at
    try {
      messages.push(JSON.parse(data.toString()) as ServerJson);
    } catch {
      messages.push({ type: '(not json)', raw: data.toString() });
    }
    for (const wake of waiters) wake();
  });
  let isClosed = false;
  const closed = new Promise<Closed>((resolve) => {
    ws.on('close', (code, reason) => {
      isClosed = true;
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters) wake();
    });
  });
  ws.on('error', () => {
    // surfaced through `closed` (an upgrade refused by the server closes with 1006)
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      reject(new Error(`upgrade refused: HTTP ${res.statusCode}`));
    });
    ws.once('close', (code) => reject(new Error(`socket closed before opening (${code})`)));
  });

  // Messages before `cursor` have been handed out by next(): each next() waits for a newer one.
  let cursor = 0;

  return {
    messages,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    sendRaw: (data) => ws.send(data),
    next(type, timeoutMs = 5_000) {
      return new Promise<ServerJson>((resolve, reject) => {
        const check = (): void => {
          for (let i = cursor; i < messages.length; i++) {
            const m = messages[i];
            if (m?.type === type) {
              cursor = i + 1;
              return finish(() => resolve(m));
            }
          }
          if (isClosed) finish(() => reject(new Error(`socket closed while waiting for "${type}"; got ${describe(messages)}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no "${type}" within ${timeoutMs} ms; got ${describe(messages)}`))),
          timeoutMs,
        );
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
  };
}

function describe(messages: ServerJson[]): string {
  return messages.length ? messages.map((m) => (m.type === 'error' ? `error(${String(m.code)})` : m.type)).join(', ') : 'nothing';
}

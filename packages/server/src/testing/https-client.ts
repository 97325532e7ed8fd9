/** HTTPS requests and WSS sockets that trust one given certificate (Node's fetch cannot take a CA). */
import https from 'node:https';
import WebSocket from 'ws';

export interface SimpleResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpsRequest(url: string, options: { ca: Buffer; method?: string; headers?: Record<string, string>; body?: string }): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: options.method ?? 'GET', headers: options.headers, ca: options.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Logs in over HTTPS and returns the raw Set-Cookie header and the `name=value` pair. */
export async function httpsLogin(baseUrl: string, ca: Buffer, email: string, password: string): Promise<{ setCookie: string; cookie: string }> {
  const res = await httpsRequest(`${baseUrl}/api/auth/login`, {
    ca,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.body}`);
  const setCookie = String(res.headers['set-cookie'] ?? '');
  return { setCookie, cookie: setCookie.split(';')[0] ?? '' };
}

export interface WssClient {
  ws: WebSocket;
  json: Array<{ type: string; [key: string]: unknown }>;
  frames: Buffer[];
  send(message: unknown): void;
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
}

export async function openWss(url: string, options: { ca: Buffer; origin: string; cookie?: string }): Promise<WssClient> {
  const ws = new WebSocket(url, { ca: options.ca, headers: { origin: options.origin, ...(options.cookie ? { cookie: options.cookie } : {}) } });
  const json: WssClient['json'] = [];
  const frames: Buffer[] = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) frames.push(data as Buffer);
    else json.push(JSON.parse(String(data)) as WssClient['json'][number]);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const waitFor = async (predicate: () => boolean, what: string, timeoutMs = 5000) => {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; got ${json.map((m) => m.type).join(',')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { ws, json, frames, send: (m) => ws.send(JSON.stringify(m)), waitFor };
}

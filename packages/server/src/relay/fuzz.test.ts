/**
 * Robustness (issue 4): thousands of random and mutated frames, through the decoders and over
 * real sockets against a real server, while a healthy host and agent keep streaming. The server
 * never crashes, closes every bad connection with a close code from docs/ERRORS.md (or 1009),
 * and the healthy session keeps flowing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import WebSocket from 'ws';
import { decodeClientMessage, decodeDomFrameHeader, DomStreamInflater, encodeDomFrame, ERRORS, FLAG_DEFLATE, PROTOCOL_VERSION } from '@samepage/protocol';
import { startServer, type RunningServer } from '../server.ts';
import { joinAs, login, startHostSession } from './test-clients.ts';
import { createRng, mutateBinaryFrame, mutateMessage, randomBytes, randomText, validSamples, type Rng } from './fuzz-corpus.ts';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** Close codes in docs/ERRORS.md's table, plus 1009 (cut by the WebSocket layer, documented above the table). */
function documentedCloseCodes(): Set<number> {
  const doc = fs.readFileSync(new URL('../../../../docs/ERRORS.md', import.meta.url), 'utf8');
  const codes = new Set<number>([1009]);
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells[1]?.startsWith('`') && /^\d{4}$/.test(cells[3] ?? '')) codes.add(Number(cells[3]));
  }
  assert.ok(codes.size > 10, 'read the close codes from docs/ERRORS.md');
  return codes;
}

const ALL_TYPES = validSamples('k').map((m) => String(m.type));

test(`the decoders never throw on 20,000 random and mutated inputs (seed ${SEED})`, () => {
  const rng = createRng(SEED);
  const samples = validSamples('pk_x');
  const known = new Set(Object.keys(ERRORS));
  for (let i = 0; i < 10_000; i++) {
    const input = rng() < 0.8 ? mutateMessage(rng, samples[i % samples.length]!, ALL_TYPES) : String(randomText(rng));
    const result = decodeClientMessage(input);
    if (!result.ok) assert.ok(known.has(result.code), `decode answered an unknown code ${result.code}`);
  }
  for (const sample of samples) assert.ok(decodeClientMessage(JSON.stringify(sample)).ok, `the valid ${String(sample.type)} sample decodes`);
  const inflater = new DomStreamInflater();
  for (let i = 0; i < 10_000; i++) {
    const frame = mutateBinaryFrame(rng);
    decodeDomFrameHeader(frame);
    inflater.inflate(frame);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is not polluted');
});

interface FuzzOutcome {
  serverClosed: number[];
  errorCodes: string[];
  framesSent: number;
}

/** One hostile connection: maybe a valid hello first, then a burst of bad frames. */
async function fuzzConnection(server: RunningServer, rng: Rng, cookie: string, outcome: FuzzOutcome): Promise<void> {
  const role = Math.floor(rng() * 4);
  const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', { headers: { origin: server.url, ...(role === 1 ? { cookie } : {}) } });
  let clientClosing = false;
  const closed = new Promise<void>((resolve) => {
    ws.on('close', (code) => {
      if (!clientClosing) outcome.serverClosed.push(code);
      resolve();
    });
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const message = JSON.parse(String(data)) as { type: string; code?: string };
    if (message.type === 'error' && message.code) outcome.errorCodes.push(message.code);
  });
  ws.on('error', () => {});
  await new Promise((resolve) => ws.once('open', resolve).once('error', resolve));
  if (ws.readyState !== WebSocket.OPEN) return;
  const samples = validSamples(server.demoSiteKey);
  const send = (data: string | Buffer, binary: boolean) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(data, { binary });
    outcome.framesSent++;
  };
  if (role === 0) send(JSON.stringify(samples[0]), false);
  if (role === 0 && rng() < 0.7) send(JSON.stringify({ type: 'session_start' }), false);
  if (role === 1) send(JSON.stringify({ type: 'agent_hello', v: PROTOCOL_VERSION }), false);
  const burst = 4 + Math.floor(rng() * 12);
  for (let i = 0; i < burst; i++) {
    const kind = rng();
    if (kind < 0.65) send(mutateMessage(rng, samples[Math.floor(rng() * samples.length)]!, ALL_TYPES), false);
    else if (kind < 0.8) send(mutateBinaryFrame(rng), true);
    else if (kind < 0.95) send(randomText(rng) as Buffer, false);
    else if (kind < 0.975) send(randomBytes(rng, 4096), true); // past MAX_FRAME_BYTES: 4413
    else send(Buffer.alloc(1024 * 1024 + 4096), true); // past the WebSocket limit: 1009
  }
  await Promise.race([closed, new Promise((r) => setTimeout(r, 150))]);
  clientClosing = true;
  ws.close();
  await closed;
}

test(`thousands of bad frames over real sockets: documented close codes, no crash, and a healthy session keeps streaming (seed ${SEED})`, async (t) => {
  const server = await startServer({ env: { MAX_FRAME_BYTES: '1024', JOIN_ATTEMPTS_PER_MINUTE: '10000' } });
  t.after(() => server.close());
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));

  const cookie = await login(server);
  const { host, created } = await startHostSession(server);
  const { agent } = await joinAs(server, cookie, created.code);
  t.after(() => {
    host.ws.close();
    agent.ws.close();
  });
  // The healthy session: a delta every 20 ms, and the time of each one the agent receives.
  let seq = 1;
  const arrivals: number[] = [];
  agent.ws.on('message', (data, isBinary) => {
    // Deltas only (seq ≥ 1): the cached keyframe may or may not arrive after this listener.
    if (isBinary && (decodeDomFrameHeader(data as Buffer)?.seq ?? 0) >= 1) arrivals.push(Date.now());
  });
  const ticker = setInterval(() => host.ws.send(encodeDomFrame({ flags: FLAG_DEFLATE, epoch: 1, seq: seq++ }, new Uint8Array([1, 2, 3]))), 20);
  t.after(() => clearInterval(ticker));

  const rng = createRng(SEED);
  const outcome: FuzzOutcome = { serverClosed: [], errorCodes: [], framesSent: 0 };
  const started = Date.now();
  const CONNECTIONS = 2000;
  const PARALLEL = 30;
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < CONNECTIONS) {
        next++;
        await fuzzConnection(server, rng, cookie, outcome);
      }
    }),
  );
  const fuzzEnded = Date.now();
  clearInterval(ticker);
  const histogram = new Map<number, number>();
  for (const code of outcome.serverClosed) histogram.set(code, (histogram.get(code) ?? 0) + 1);
  t.diagnostic(`${outcome.framesSent} frames on ${CONNECTIONS} connections in ${fuzzEnded - started} ms; server close codes: ${[...histogram].map(([c, n]) => `${c}×${n}`).join(' ')}`);

  assert.ok(outcome.framesSent >= 10_000, `thousands of frames were sent (${outcome.framesSent})`);
  const documented = documentedCloseCodes();
  const undocumented = outcome.serverClosed.filter((code) => !documented.has(code));
  assert.deepEqual([...new Set(undocumented)], [], 'every close code is in docs/ERRORS.md');
  assert.ok(outcome.serverClosed.length > CONNECTIONS / 2, 'most hostile connections were closed by the server');
  for (const expected of [4400, 4413, 1009]) assert.ok(outcome.serverClosed.includes(expected), `saw close code ${expected}`);
  const known = new Set(Object.keys(ERRORS));
  assert.deepEqual([...new Set(outcome.errorCodes.filter((c) => !known.has(c)))], [], 'every error message has a catalogue code');
  assert.deepEqual(unhandled, [], 'no unhandled rejection in the server');
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is not polluted');

  // The healthy session never stalled: frames kept arriving all through the fuzzing.
  const during = arrivals.filter((at) => at >= started && at <= fuzzEnded);
  let longestGap = 0;
  for (let i = 1; i < during.length; i++) longestGap = Math.max(longestGap, during[i]! - during[i - 1]!);
  t.diagnostic(`healthy agent got ${during.length} frames during the fuzz; longest gap ${longestGap} ms`);
  // Every delta the host sent reached the agent (the ticker shares this process, so count what it sent).
  const sent = seq - 1;
  for (let i = 0; i < 100 && arrivals.length < sent; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(arrivals.length, sent, 'the agent received every delta the host sent');
  assert.ok(during.length >= 20, `the agent kept receiving frames while the fuzz ran (${during.length})`);
  assert.ok(longestGap < 1000, `no stall over 1 s (longest gap ${longestGap} ms)`);
  assert.equal(host.ws.readyState, WebSocket.OPEN, 'the healthy host is still connected');
  assert.equal(agent.ws.readyState, WebSocket.OPEN, 'the healthy agent is still connected');
  agent.send({ type: 'pointer', x: 3, y: 4 });
  await host.next('agent_pointer');
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});

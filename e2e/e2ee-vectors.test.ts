/**
 * End-to-end encryption known-answer vectors in real browsers (issue 9, "Vectors"): the e2ee
 * module and packages/protocol/src/e2ee/vectors.json, bundled with esbuild, run on each engine's
 * own WebCrypto in Chromium, Firefox and WebKit. Every key, salt, nonce, sealed frame, ECDH
 * secret, commitment, transcript hash, SAS and join derivation must equal the vector. Then a
 * whole pairing runs on fresh non-extractable P-256 keys and delivers an epoch key.
 *
 * The page is served from http://127.0.0.1, a secure context, because crypto.subtle exists only there.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { build } from 'esbuild';
import { ENGINES, launchEngine } from './support/engines/index.ts';

interface VectorRun {
  done: boolean;
  secure: boolean;
  subtle: boolean;
  failures: string[] | null;
  pairing: { sas: string; sameSas: boolean; delivered: boolean } | null;
  error: string | null;
  userAgent: string;
}
type VectorWindow = Window & { __e2eeVectors?: VectorRun };

const E2EE_DIR = new URL('../packages/protocol/src/e2ee/', import.meta.url).pathname;

const ENTRY = `
import { runE2eeVectors } from './run-vectors.ts';
import { runVerifiedPairing } from './test-support.ts';
import { createEpoch } from './epochs.ts';
import { Keyring } from './keyring.ts';
import { createPairwiseSender, readEpochKey, sealEpochKey } from './pairwise.ts';
import vectors from './vectors.json';
const run = { done: false, secure: window.isSecureContext, subtle: !!(window.crypto && window.crypto.subtle), failures: null, pairing: null, error: null, userAgent: navigator.userAgent };
window.__e2eeVectors = run;
// Then a whole pairing on fresh non-extractable keys, and an epoch key delivered under it.
const pairAndDeliver = async () => {
  const p = await runVerifiedPairing('browser-session', 3);
  const epoch = createEpoch(5);
  const keyring = new Keyring();
  keyring.addLink(p.agentLink, 'agent');
  const frame = await sealEpochKey(await createPairwiseSender(p.customerLink, 5, 'customer'), epoch);
  const got = readEpochKey(await keyring.open(frame));
  return { sas: p.customer.sas, sameSas: p.customer.sas === p.agent.sas, delivered: !!got && got.secret.join() === epoch.secret.join() };
};
runE2eeVectors(vectors).then(async (failures) => ({ failures, pairing: await pairAndDeliver() })).then(
  ({ failures, pairing }) => { run.failures = failures; run.pairing = pairing; run.done = true; },
  (error) => { run.error = String(error && error.stack || error); run.done = true; },
);
`;

async function bundleVectors(): Promise<string> {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: E2EE_DIR, sourcefile: 'e2ee-vectors-entry.ts', loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2020',
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

async function servePage(script: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/vectors.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><meta charset="utf-8"><title>e2ee vectors</title><script src="/vectors.js"></script><p>e2ee vectors</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const bundle = bundleVectors();

for (const name of ENGINES) {
  test(`e2ee known-answer vectors pass on ${name}'s own WebCrypto`, { timeout: 90_000 }, async (t) => {
    const page = await servePage(await bundle);
    t.after(() => page.close());
    const engine = await launchEngine(t, name);
    if (!engine) return;
    const tab = await engine.open(page.url);
    await tab.waitForFunction(() => (window as VectorWindow).__e2eeVectors?.done === true, undefined, { timeout: 30_000 });
    const run = await tab.evaluate(() => JSON.parse(JSON.stringify((window as VectorWindow).__e2eeVectors)) as VectorRun);
    t.diagnostic(`${name}: ${run.userAgent}`);
    assert.equal(run.secure, true, 'http://127.0.0.1 is a secure context');
    assert.equal(run.subtle, true, 'crypto.subtle is there');
    assert.equal(run.error, null);
    assert.deepEqual(run.failures, []);
    assert.match(run.pairing?.sas ?? '', /^\d{6}$/);
    assert.equal(run.pairing?.sameSas, true, 'both sides of a pairing show one code');
    assert.equal(run.pairing?.delivered, true, 'the epoch key arrives under the pairwise key');
  });
}

/**
 * Code delivery (docs/SECURITY.md): the SHA-384 Subresource Integrity hashes published by the
 * build match the bytes the server serves, for every SDK bundle and every console asset, and the
 * loader pins the bundles it loads with them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../server.ts';
import { CONSOLE_DIST, SDK_DIST } from './app.ts';

const built = fs.existsSync(path.join(SDK_DIST, 'sri.json')) && fs.existsSync(path.join(CONSOLE_DIST, 'integrity.json'));
const sha384 = (bytes: ArrayBuffer) => `sha384-${createHash('sha384').update(Buffer.from(bytes)).digest('base64')}`;

test('the published integrity hashes match the served bytes of every SDK bundle and console asset', { skip: built ? false : 'run npm run build first' }, async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const res = await fetch(`${server.url}/sdk/integrity.json`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  const sdk = (await res.json()) as { algorithm: string; files: Record<string, string> };
  assert.equal(sdk.algorithm, 'sha384');
  for (const f of ['/sdk.js', '/sdk/capture.js', '/sdk/collab.js', '/sdk/widget.js', '/sdk/i18n/fr.js']) assert.ok(sdk.files[f], `${f} is listed`);
  const consoleRes = await fetch(`${server.url}/console/integrity.json`);
  const consoleFiles = ((await consoleRes.json()) as { files: Record<string, string> }).files;
  assert.ok(consoleFiles['/console/index.html'], 'the console’s index.html is listed');
  for (const [file, hash] of Object.entries({ ...sdk.files, ...consoleFiles })) {
    const served = await fetch(server.url + file);
    assert.equal(served.status, 200, file);
    assert.equal(sha384(await served.arrayBuffer()), hash, `the served bytes of ${file} match its published hash`);
  }

  // The chain: sdk.js carries capture.js's hash, capture.js carries the hashes of what it loads.
  const loader = await (await fetch(`${server.url}/sdk.js`)).text();
  assert.ok(loader.includes(sdk.files['/sdk/capture.js']!), 'the loader pins capture.js');
  const capture = await (await fetch(`${server.url}/sdk/capture.js`)).text();
  for (const f of ['/sdk/collab.js', '/sdk/widget.js', '/sdk/i18n/de.js']) assert.ok(capture.includes(sdk.files[f]!), `capture.js pins ${f}`);
  // The console's entry script and stylesheet carry integrity attributes.
  const html = await (await fetch(`${server.url}/console/`)).text();
  const entry = /<script type="module"[^>]*src="([^"]+)"[^>]*integrity="([^"]+)"/.exec(html);
  assert.ok(entry, 'the entry script has an integrity attribute');
  assert.equal(entry[2], consoleFiles[entry[1]!]);
});
